/**
 * An SQL recording (JSONL, recording-format.ts) folded into runs for the timeline: one run per
 * submission, with its decision and the result of each statement in it.
 */
import type { MaskedCell, SqlColumn } from '@gatehouse/gateway-core/contract';
import { JsonlLines, type Ev } from './jsonl-lines';

export interface SqlStatementResult {
  index: number;
  columns: SqlColumn[] | null;
  rows: MaskedCell[][];
  rowCount: number | null;
  more: boolean;
  capped: boolean;
  command: string | null;
  durationMs: number | null;
  error: { message: string; sqlstate?: string; detail?: string; hint?: string } | null;
  cancelled: boolean;
}

export interface SqlDecisionInfo {
  action: 'allow' | 'deny' | 'approve' | 'approved';
  class: string | null;
  rule: string;
  reason: string;
  approvalId?: string;
}

export interface SqlRun {
  run: number;
  t: number;
  text: string;
  via: string;
  decision: SqlDecisionInfo | null;
  results: SqlStatementResult[];
  notices: string[];
}

export type { Ev };

export class SqlRecording {
  startedAt: string | null = null;
  readonly runs: SqlRun[] = [];
  readonly markers: Array<{ t: number; label: string }> = [];
  skipped = 0;
  private readonly lines = new JsonlLines('gatehouse-sql', 'SQL');
  private readonly byRun = new Map<number, SqlRun>();

  addBodyLine(line: string): void {
    const l = this.lines.read(line);
    if (l.kind === 'skipped') this.skipped++;
    else if (l.kind === 'header') this.startedAt = typeof l.meta.startedAt === 'string' ? l.meta.startedAt : null;
    else this.addEvent(l.event);
  }

  private runOf(e: Ev): SqlRun | null {
    const n = typeof e.run === 'number' ? e.run : null;
    if (n === null) return null;
    let run = this.byRun.get(n);
    if (!run) {
      run = { run: n, t: e.t, text: '', via: 'editor', decision: null, results: [], notices: [] };
      this.byRun.set(n, run);
      this.runs.push(run);
    }
    return run;
  }

  private resultOf(run: SqlRun, index: number): SqlStatementResult {
    let r = run.results.find((x) => x.index === index);
    if (!r) {
      r = { index, columns: null, rows: [], rowCount: null, more: false, capped: false, command: null, durationMs: null, error: null, cancelled: false };
      run.results.push(r);
    }
    return r;
  }

  /** One event after the header; agent recordings feed their query results through here too. */
  addEvent(e: Ev): void {
    if (e.type === 'marker') {
      this.markers.push({ t: e.t, label: String(e.label ?? '') });
      return;
    }
    const run = this.runOf(e);
    if (!run) return; // a cancel request without a run
    const index = typeof e.index === 'number' ? e.index : null;
    switch (e.type) {
      case 'statement':
        run.t = e.t;
        run.text = String(e.text ?? '');
        run.via = String(e.via ?? 'editor');
        break;
      case 'decision':
        run.decision = e as unknown as SqlDecisionInfo;
        break;
      case 'notice':
        run.notices.push(String(e.text ?? ''));
        break;
      default: {
        if (index === null) return;
        const r = this.resultOf(run, index);
        if (e.type === 'columns') r.columns = e.columns as SqlColumn[];
        else if (e.type === 'rows') {
          r.rows = e.rows as MaskedCell[][];
          r.rowCount = e.rowCount as number;
          r.more = e.more === true;
          r.capped = e.capped === true;
          r.durationMs = e.durationMs as number;
        } else if (e.type === 'done') {
          r.command = String(e.command ?? '');
          r.rowCount = (e.rowCount as number | null) ?? r.rowCount;
          r.durationMs = e.durationMs as number;
        } else if (e.type === 'error') {
          r.error = e.error as SqlStatementResult['error'];
          r.durationMs = e.durationMs as number;
        } else if (e.type === 'cancel') r.cancelled = true;
      }
    }
  }
}

/** A run's total duration (the sum of its statements'), or null when nothing ran. */
export function runDuration(run: SqlRun): number | null {
  const known = run.results.filter((r) => r.durationMs !== null);
  return known.length ? known.reduce((s, r) => s + r.durationMs!, 0) : null;
}

export function runRowCount(run: SqlRun): number | null {
  const known = run.results.filter((r) => r.rowCount !== null);
  return known.length ? known.reduce((s, r) => s + r.rowCount!, 0) : null;
}
