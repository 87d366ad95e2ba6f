/**
 * What the session recording keeps of one run (a simple Query, or one Execute of a prepared
 * statement): per statement its columns, its first masked rows and count, its outcome or its
 * (masked) error, in the editor's SqlRunResult shape so that SqlRecorder writes it as for the editor.
 */
import { performance } from 'node:perf_hooks';
import type { MaskedCell, SqlColumn, SqlStatementResult } from '../contract/sql-schemas.js';
import type { RunRecording } from '../recording/sql-recorder.js';
import type { NoticeFields } from './backend-messages.js';

export class ResultCapture {
  private readonly results: SqlStatementResult[] = [];
  private rows: MaskedCell[][] = [];
  private rowCount = 0;
  private started = performance.now();
  private finished = false;

  constructor(
    private readonly rec: RunRecording,
    private readonly maxRows = 100,
  ) {}

  /** Whether the next row's cells are still wanted (the recording keeps the first maxRows). */
  get wantsCells(): boolean {
    return this.rows.length < this.maxRows;
  }

  row(cells: MaskedCell[] | null): void {
    this.rowCount++;
    if (cells && this.rows.length < this.maxRows) this.rows.push(cells);
  }

  /** CommandComplete (or PortalSuspended, tag null): a rows result when the statement had columns. */
  complete(tag: string | null, columns: readonly SqlColumn[] | undefined): void {
    const durationMs = performance.now() - this.started;
    if (columns) {
      this.results.push({
        status: 'rows',
        queryId: 'local-port',
        columns: [...columns],
        rows: this.rows,
        hasMore: tag === null,
        rowCount: this.rowCount,
        capped: false,
        rowCap: Math.max(1, this.maxRows),
        durationMs,
      });
    } else {
      const count = tag ? /\s(\d+)$/.exec(tag) : null;
      this.results.push({ status: 'done', command: tag ?? '', rowCount: count ? Number(count[1]) : null, durationMs });
    }
    this.next();
  }

  /** A server error, already masked. */
  error(fields: NoticeFields): void {
    const sqlstate = fields.get('C');
    const detail = fields.get('D');
    const hint = fields.get('H');
    this.results.push({
      status: 'error',
      error: {
        message: fields.get('M') ?? 'The statement failed',
        ...(sqlstate && /^[0-9A-Z]{5}$/.test(sqlstate) ? { sqlstate } : {}),
        ...(detail ? { detail } : {}),
        ...(hint ? { hint } : {}),
      },
      durationMs: performance.now() - this.started,
    });
    this.next();
  }

  /** Writes the run's outcome (once). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.rec.result({ results: this.results, notices: [] });
  }

  private next(): void {
    this.rows = [];
    this.rowCount = 0;
    this.started = performance.now();
  }
}
