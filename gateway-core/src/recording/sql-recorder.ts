/**
 * Records one SQL editor session as JSONL (recording-format.ts): per submission ("run") the
 * statement text, the guard's decision, and per statement its columns, its first masked rows
 * (capped, with the count), its outcome, errors and cancels.
 *
 * Rows and errors arrive already masked: they are the very SqlRunResult the editor was given.
 * The statement text and the decision's reason are masked here (they may quote a value), with the
 * caller's masker, exactly as the history does.
 */
import { performance } from 'node:perf_hooks';
import type { SqlRunResult, SqlStatementResult } from '../contract/sql-schemas.js';
import type { Logger } from '../logging/logger.js';
import type { Masker } from '../masking/index.js';
import { RECORDING_FORMAT_VERSION, type SqlEvent, type SqlHeader } from './recording-format.js';
import { RecordingWriter, type StopReason } from './recording-writer.js';
import type { SpoolAccount } from './spool.js';

export interface SqlRecorderOptions {
  path: string;
  sessionId: string;
  user: string;
  connectionId: string;
  logger: Logger;
  spool?: SpoolAccount;
  /** Rows kept per statement (default 100); the count says how many there were. */
  maxRowsPerStatement?: number;
  /** Statement text kept per run, in characters (default 20 000). */
  maxStatementChars?: number;
  flushIntervalMs?: number;
  onStopped?: (reason: StopReason) => void;
  now?: () => number;
}

export interface SqlDecision {
  action: 'allow' | 'deny' | 'approve' | 'approved';
  class: 'read' | 'write' | 'dangerous' | null;
  rule: string;
  reason: string;
  approvalId?: string;
}

/** One submission's recording, bound to its run number and the caller's masker. */
export interface RunRecording {
  decision(decision: SqlDecision): void;
  result(result: SqlRunResult): void;
  error(message: string): void;
}

/** For sessions that are not recorded: the broker calls the same methods either way. */
export const NOT_RECORDED: RunRecording = { decision() {}, result() {}, error() {} };

export interface SqlRecorder {
  readonly path: string;
  readonly indexPath: string;
  readonly isRecording: boolean;
  /** Records a submitted text (masked with `masker`); returns its run number. */
  statement(text: string, masker: Masker, via?: 'editor' | 'approval' | 'export'): number;
  decision(run: number, decision: SqlDecision, masker: Masker): void;
  /** The outcome of each statement of a run, as the editor received it (already masked). */
  result(run: number, result: SqlRunResult): void;
  /** A statement that failed outside the run result (a connection error), masked. */
  error(run: number, index: number, message: string, masker: Masker): void;
  cancel(): void;
  /** Records the statement now and returns the run's recording for what follows. */
  begin(text: string, masker: Masker, via?: 'editor' | 'approval' | 'export'): RunRecording;
  close(): Promise<void>;
}

export function createSqlRecorder(o: SqlRecorderOptions): SqlRecorder {
  return new SqlRecorderImpl(o);
}

class SqlRecorderImpl implements SqlRecorder {
  private readonly writer: RecordingWriter;
  private readonly now: () => number;
  private readonly start: number;
  private runs = 0;
  private closed = false;

  constructor(private readonly o: SqlRecorderOptions) {
    this.now = o.now ?? (() => performance.now());
    this.start = this.now();
    this.writer = new RecordingWriter({
      path: o.path,
      logger: o.logger,
      ...(o.spool ? { spool: o.spool } : {}),
      ...(o.flushIntervalMs !== undefined ? { flushIntervalMs: o.flushIntervalMs } : {}),
      ...(o.onStopped ? { onStopped: o.onStopped } : {}),
      stopLine: (reason) => JSON.stringify({ t: this.time(), type: 'marker', label: `recording stopped: ${reason}` } satisfies SqlEvent),
    });
    const header: SqlHeader = {
      format: 'gatehouse-sql',
      version: RECORDING_FORMAT_VERSION,
      gatehouse: { recordingVersion: RECORDING_FORMAT_VERSION, sessionId: o.sessionId, user: o.user, connectionId: o.connectionId, kind: 'sql', startedAt: new Date().toISOString() },
    };
    this.writer.append(JSON.stringify(header));
  }

  get path(): string {
    return this.writer.path;
  }

  get indexPath(): string {
    return this.writer.indexPath;
  }

  get isRecording(): boolean {
    return !this.closed && this.writer.isRecording;
  }

  statement(text: string, masker: Masker, via: 'editor' | 'approval' | 'export' = 'editor'): number {
    const run = this.runs++;
    const limit = this.o.maxStatementChars ?? 20_000;
    this.event({ type: 'statement', run, via, text: mask(masker, text.length > limit ? `${text.slice(0, limit)}…` : text) });
    return run;
  }

  decision(run: number, d: SqlDecision, masker: Masker): void {
    this.event({ type: 'decision', run, action: d.action, class: d.class, rule: d.rule, reason: mask(masker, d.reason), ...(d.approvalId ? { approvalId: d.approvalId } : {}) });
  }

  result(run: number, result: SqlRunResult): void {
    result.results.forEach((r, index) => this.statementResult(run, index, r));
    for (const text of result.notices) this.event({ type: 'notice', run, text });
  }

  error(run: number, index: number, message: string, masker: Masker): void {
    this.event({ type: 'error', run, index, error: { message: mask(masker, message) }, durationMs: 0 });
  }

  cancel(): void {
    this.event({ type: 'cancel' });
  }

  begin(text: string, masker: Masker, via: 'editor' | 'approval' | 'export' = 'editor'): RunRecording {
    const run = this.statement(text, masker, via);
    return {
      decision: (d) => this.decision(run, d, masker),
      result: (r) => this.result(run, r),
      error: (message) => this.error(run, 0, message, masker),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close();
  }

  private statementResult(run: number, index: number, r: SqlStatementResult): void {
    switch (r.status) {
      case 'refused':
        // The refusal itself is the run's decision event; nothing ran.
        return;
      case 'rows': {
        const cap = this.o.maxRowsPerStatement ?? 100;
        this.event({ type: 'columns', run, index, columns: r.columns.map((c) => ({ name: c.name, type: c.type })) });
        const rows = r.rows.slice(0, cap).map((row) => row.map((c) => (c.m === undefined ? { v: c.v } : { v: c.v, m: c.m })));
        this.event({ type: 'rows', run, index, rows, rowCount: r.rowCount, more: r.hasMore, capped: r.capped, durationMs: r.durationMs });
        return;
      }
      case 'done':
        this.event({ type: 'done', run, index, command: r.command, rowCount: r.rowCount, durationMs: r.durationMs });
        return;
      case 'error': {
        const { message, sqlstate, detail, hint } = r.error;
        const error = { message, ...(sqlstate ? { sqlstate } : {}), ...(detail ? { detail } : {}), ...(hint ? { hint } : {}) };
        this.event({ type: 'error', run, index, error, durationMs: r.durationMs });
        return;
      }
      case 'cancelled':
        this.event({ type: 'cancel', run, index });
        return;
    }
  }

  private event(e: DistributiveOmit<SqlEvent, 't'>): void {
    if (this.closed) return;
    this.writer.append(JSON.stringify({ t: this.time(), ...e }));
  }

  private time(): number {
    return Math.round((this.now() - this.start) * 1000) / 1e6;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function mask(masker: Masker, text: string): string {
  try {
    return masker.maskText(text).text;
  } catch {
    return '[withheld: masking failed]';
  }
}
