/**
 * Records one SQL editor session as JSONL (recording-format.ts): per submission ("run") the
 * statement text, the guard's decision, and per statement its columns, its first masked rows
 * (capped, with the count), its outcome, errors and cancels.
 *
 * Rows and errors arrive already masked: they are the very SqlRunResult the editor was given.
 * The statement text and the decision's reason are masked here (they may quote a value), with the
 * caller's masker, exactly as the history does.
 */
import type { SqlRunResult } from '../contract/sql-schemas.js';
import type { Logger } from '../logging/logger.js';
import type { Masker } from '../masking/index.js';
import { RECORDING_FORMAT_VERSION, type SqlEvent, type SqlHeader } from './recording-format.js';
import { JsonlRecording } from './jsonl-recording.js';
import type { StopReason } from './recording-writer.js';
import { DEFAULT_ROWS_PER_STATEMENT, maskForRecording as mask, sqlResultEvents, type Untimed } from './sql-result-events.js';
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
  private readonly rec: JsonlRecording<SqlEvent>;
  private runs = 0;

  constructor(private readonly o: SqlRecorderOptions) {
    const header: SqlHeader = {
      format: 'gatehouse-sql',
      version: RECORDING_FORMAT_VERSION,
      gatehouse: { recordingVersion: RECORDING_FORMAT_VERSION, sessionId: o.sessionId, user: o.user, connectionId: o.connectionId, kind: 'sql', startedAt: new Date().toISOString() },
    };
    this.rec = new JsonlRecording<SqlEvent>(o, header);
  }

  get path(): string {
    return this.rec.path;
  }

  get indexPath(): string {
    return this.rec.indexPath;
  }

  get isRecording(): boolean {
    return this.rec.isRecording;
  }

  statement(text: string, masker: Masker, via: 'editor' | 'approval' | 'export' = 'editor'): number {
    const run = this.runs++;
    const limit = this.o.maxStatementChars ?? 20_000;
    // Masked before it is cut, so that a value split by the cut cannot escape its detector.
    const masked = mask(masker, text);
    this.event({ type: 'statement', run, via, text: masked.length > limit ? `${masked.slice(0, limit)}…` : masked });
    return run;
  }

  decision(run: number, d: SqlDecision, masker: Masker): void {
    this.event({ type: 'decision', run, action: d.action, class: d.class, rule: d.rule, reason: mask(masker, d.reason), ...(d.approvalId ? { approvalId: d.approvalId } : {}) });
  }

  result(run: number, result: SqlRunResult): void {
    for (const e of sqlResultEvents(run, result, this.o.maxRowsPerStatement ?? DEFAULT_ROWS_PER_STATEMENT)) this.event(e);
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

  close(): Promise<void> {
    return this.rec.close();
  }

  private event(e: Untimed<SqlEvent>): void {
    this.rec.event(e);
  }
}
