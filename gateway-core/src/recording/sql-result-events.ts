/**
 * A query's result as recording events: per statement its columns, its first masked rows (capped,
 * with the count), its outcome or error, and the run's notices. SQL sessions and agent tool calls
 * record results the same way, so one player view reads both.
 *
 * The result arrives already masked (it is the very SqlRunResult the user or agent was given), so
 * nothing is masked here; cells are copied field by field so that nothing but `v` and `m` is kept.
 */
import type { SqlRunResult, SqlStatementResult } from '../contract/sql-schemas.js';
import type { Masker } from '../masking/index.js';
import type { SqlEvent } from './recording-format.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event as recorders build it: everything but the time, which the recorder stamps. */
export type Untimed<E> = DistributiveOmit<E, 't'>;

/** The events a result becomes; valid in both SQL and agent recordings. */
export type SqlResultEvent = Untimed<Extract<SqlEvent, { type: 'columns' | 'rows' | 'done' | 'error' | 'cancel' | 'notice' }>>;

export const DEFAULT_ROWS_PER_STATEMENT = 100;

export function sqlResultEvents(run: number, result: SqlRunResult, maxRows = DEFAULT_ROWS_PER_STATEMENT): SqlResultEvent[] {
  const out: SqlResultEvent[] = [];
  result.results.forEach((r, index) => statementEvents(out, run, index, r, maxRows));
  for (const text of result.notices) out.push({ type: 'notice', run, text });
  return out;
}

function statementEvents(out: SqlResultEvent[], run: number, index: number, r: SqlStatementResult, maxRows: number): void {
  switch (r.status) {
    case 'refused':
      // The refusal itself is recorded as the decision; nothing ran.
      return;
    case 'rows': {
      out.push({ type: 'columns', run, index, columns: r.columns.map((c) => ({ name: c.name, type: c.type })) });
      const rows = r.rows.slice(0, maxRows).map((row) => row.map((c) => (c.m === undefined ? { v: c.v } : { v: c.v, m: c.m })));
      out.push({ type: 'rows', run, index, rows, rowCount: r.rowCount, more: r.hasMore, capped: r.capped, durationMs: r.durationMs });
      return;
    }
    case 'done':
      out.push({ type: 'done', run, index, command: r.command, rowCount: r.rowCount, durationMs: r.durationMs });
      return;
    case 'error': {
      const { message, sqlstate, detail, hint } = r.error;
      const error = { message, ...(sqlstate ? { sqlstate } : {}), ...(detail ? { detail } : {}), ...(hint ? { hint } : {}) };
      out.push({ type: 'error', run, index, error, durationMs: r.durationMs });
      return;
    }
    case 'cancelled':
      out.push({ type: 'cancel', run, index });
      return;
  }
}

/** Masks free text for a recording; a masking failure withholds the text rather than leak it. */
export function maskForRecording(masker: Masker, text: string): string {
  try {
    return masker.maskText(text).text;
  } catch {
    return '[withheld: masking failed]';
  }
}
