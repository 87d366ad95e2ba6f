/**
 * One editor tab's upstream session. Every submission runs in its own transaction:
 *
 *   BEGIN READ ONLY; SET LOCAL statement_timeout = <role limit>; <statements>; ROLLBACK
 *
 * (BEGIN READ WRITE + COMMIT only for an approved write). Per-transaction settings rather than
 * session SETs, because the demo's PGlite shares one session between all connections; ROLLBACK
 * rather than COMMIT, so that even a harmless SET in a read-only run leaves nothing behind.
 *
 * Row-returning SELECTs are wrapped in a server-side cursor (DECLARE … NO SCROLL CURSOR) and read
 * with FETCH in pages as the UI asks for them: memory stays flat however large the result, and
 * each FETCH is its own statement, so the statement timeout bounds each page rather than the time
 * a user spends scrolling (with protocol-level portals it would run across fetches). Between
 * fetches the connection is free for the catalog lookups that column rules need. While a page is
 * masked, the FETCH for the next one is already on the wire (one page of read-ahead, raw, never
 * more than the last page asked for), so the server's work overlaps gateway-core's.
 */
import type { FieldDef } from 'pg';
import type pg from 'pg';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { SqlPage, SqlStatementResult } from '../contract/sql-schemas.js';
import type { Logger } from '../logging/logger.js';
import { MaskingError, type ColumnRef, type Masker } from '../masking/index.js';
import type { SqlStatement } from '../policy/sql/index.js';
import { codePointsToUnits, maskRows, maskServerError, maskText, ResultCatalog } from './result-masking.js';
import { fetchFromCursor, PositionedError, readBounded } from './statement-io.js';
import type { Upstream } from './upstream.js';

export type Access = 'read-only' | 'approved-write';

export interface RunContext {
  masker: Masker;
  maxRows: number;
  statementTimeoutMs: number;
  access: Access;
  /** Rows in the first page of a result. */
  pageSize: number;
}

export interface SessionRunResult {
  results: SqlStatementResult[];
  notices: string[];
}

interface OpenCursor {
  queryId: string;
  name: string;
  refs: ColumnRef[];
  masker: Masker;
  delivered: number;
  cap: number;
  /**
   * Rows read ahead of what was delivered, raw (they never leave gateway-core unmasked): one row,
   * so that hasMore is exact; or, on a shared-session server, everything up to the cap.
   */
  buffer: unknown[][];
  /** The server cursor is closed: everything left is in `buffer`. */
  exhausted: boolean;
  /**
   * The next page's FETCH, sent while the current page was masked (so the server produces it
   * while gateway-core works): at most one, for as many rows as the last page asked, raw.
   */
  prefetch: Prefetch | null;
  idle: NodeJS.Timeout;
}

interface Prefetch {
  /** Never rejects: an error is kept and reported by the fetch that takes the rows. */
  done: Promise<{ rows: unknown[][]; asked: number } | { error: unknown }>;
  settled: boolean;
}

const MAX_NOTICES = 100;
const HARD_CANCEL_MS = 3_000;

export class SqlSession {
  private upstream: Upstream | null = null;
  private open: OpenCursor | null = null;
  private inTransaction = false;
  private lock: Promise<unknown> = Promise.resolve();
  private running: { cancelRequested: boolean } | null = null;
  private notices: { list: string[]; masker: Masker } | null = null;
  private readonly catalog = new ResultCatalog();
  private cursorSeq = 0;
  private closed = false;

  constructor(
    readonly id: string,
    readonly connectionId: string,
    readonly ownerId: string,
    private readonly connect: () => Promise<Upstream>,
    private readonly logger: Logger,
    private readonly idleCursorMs = 120_000,
  ) {}

  /** Connects now, so that sql.open reports an unreachable target at once. */
  async start(): Promise<void> {
    await this.ensureConnected();
  }

  /** Runs already-decided statements, stopping at the first error. */
  run(statements: readonly SqlStatement[], ctx: RunContext, onStatementDone?: (s: SqlStatement) => void): Promise<SessionRunResult> {
    return this.exclusive(async () => {
      await this.finishOpen();
      const client = await this.ensureConnected();
      const results: SqlStatementResult[] = [];
      const notices: string[] = [];
      this.notices = { list: notices, masker: ctx.masker };
      this.running = { cancelRequested: false };
      let failed = false;
      try {
        await this.begin(client, ctx);
        for (let i = 0; i < statements.length; i++) {
          const statement = statements[i]!;
          const started = performance.now();
          let result: SqlStatementResult;
          try {
            result = await this.execute(client, statement, i === statements.length - 1, ctx, started);
            onStatementDone?.(statement);
          } catch (err) {
            result = this.failure(err, statement, ctx, started);
          }
          results.push(result);
          if (result.status === 'error' || result.status === 'cancelled') {
            failed = true;
            break;
          }
        }
      } catch (err) {
        // BEGIN itself failed: the connection is gone or unusable.
        failed = true;
        this.dropConnection();
        if (this.running.cancelRequested) results.push({ status: 'cancelled', durationMs: 0 });
        else throw new GatehouseError('unavailable', `The connection was lost (${errorCode(err)}); run again to reconnect`);
      } finally {
        this.running = null;
        this.notices = null;
      }
      if (!this.open || this.open.exhausted) {
        const commitError = await this.endTransaction(!failed && ctx.access === 'approved-write', ctx.masker);
        if (commitError) results.push(commitError);
      }
      return { results, notices };
    });
  }

  /** The next page of the open result. */
  fetch(queryId: string, pageSize: number): Promise<SqlPage> {
    return this.exclusive(async () => {
      const open = this.open;
      if (!open || open.queryId !== queryId) {
        throw new GatehouseError('not_found', 'That result is no longer open: a newer run replaced it, or it was closed or timed out');
      }
      clearTimeout(open.idle);
      const want = Math.max(0, Math.min(pageSize, open.cap - open.delivered));
      if (open.prefetch) {
        const prefetch = open.prefetch;
        open.prefetch = null;
        if (!prefetch.settled && !this.upstream) throw new GatehouseError('unavailable', 'The connection was lost; run the statement again');
        this.running = { cancelRequested: false };
        const got = await prefetch.done;
        try {
          if ('error' in got) throw got.error;
          append(open.buffer, got.rows);
          open.exhausted = got.rows.length < got.asked;
        } catch (err) {
          return await this.failFetch(open, err);
        }
        this.running = null;
      }
      if (!open.exhausted && open.buffer.length < want + 1) {
        const client = this.upstream?.client;
        if (!client) throw new GatehouseError('unavailable', 'The connection was lost; run the statement again');
        this.running = { cancelRequested: false };
        const ask = want + 1 - open.buffer.length;
        try {
          const fetched = (await this.fetchRaw(client, open.name, ask)).rows;
          append(open.buffer, fetched);
          open.exhausted = fetched.length < ask;
        } catch (err) {
          return await this.failFetch(open, err);
        }
        this.running = null;
      }
      const page = open.buffer.length === want ? open.buffer : open.buffer.slice(0, want);
      open.buffer = page === open.buffer ? [] : open.buffer.slice(want);
      const more = open.buffer.length > 0;
      const capped = more && open.delivered + page.length >= open.cap;
      const hasMore = more && !capped;
      // Pipelining: the next page is asked for now, before this one is masked.
      if (hasMore) this.startPrefetch(open, Math.min(pageSize, open.cap - open.delivered - page.length) + 1 - open.buffer.length);
      let masked;
      try {
        masked = maskRows(open.masker, open.refs, page);
      } catch (err) {
        await this.finishOpen();
        throw withheld(err);
      }
      open.delivered += page.length;
      if (hasMore) open.idle = this.idleTimer();
      else await this.finishOpen();
      return { rows: masked, hasMore, rowCount: open.delivered, capped };
    });
  }

  /**
   * Cancels the running statement with PostgreSQL's cancel request. If the server does not
   * react (PGlite ignores cancel requests), the connection is dropped after a few seconds so the
   * run still ends; the next run reconnects. With nothing running, an open result is closed.
   */
  async cancel(): Promise<boolean> {
    const running = this.running;
    if (running && this.upstream) {
      running.cancelRequested = true;
      const upstream = this.upstream;
      await upstream.cancel();
      const timer = setTimeout(() => {
        if (this.running === running && this.upstream === upstream) {
          this.logger.warn({ sessionId: this.id }, 'cancel request had no effect; dropping the upstream connection');
          this.dropConnection();
        }
      }, HARD_CANCEL_MS);
      timer.unref();
      return true;
    }
    if (this.open) {
      // A read-ahead FETCH still on the server is cancelled rather than waited for.
      if (this.open.prefetch && !this.open.prefetch.settled && this.upstream) await this.upstream.cancel();
      await this.exclusive(() => this.finishOpen());
      return true;
    }
    return false;
  }

  get openQueryId(): string | undefined {
    return this.open?.queryId;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.running) await this.cancel();
    await this.exclusive(async () => {
      await this.finishOpen();
      const upstream = this.upstream;
      this.upstream = null;
      await upstream?.client.end().catch(() => undefined);
    });
  }

  // --- internals -------------------------------------------------------------------------------

  /** One operation at a time per session; cancel() is the exception, since it must interrupt. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private async ensureConnected(): Promise<pg.Client> {
    if (this.closed) throw new GatehouseError('not_found', 'This SQL session is closed');
    if (this.upstream) return this.upstream.client;
    const upstream = await this.connect();
    const client = upstream.client;
    client.on('notice', (msg: { message?: string; severity?: string }) => this.onNotice(msg));
    // A server-side disconnect (terminated backend, restart) leaves the session reconnectable.
    client.on('error', () => {
      if (this.upstream === upstream) this.dropConnection();
    });
    client.on('end', () => {
      if (this.upstream === upstream) this.dropConnection();
    });
    this.upstream = upstream;
    return client;
  }

  private dropConnection(): void {
    const upstream = this.upstream;
    this.upstream = null;
    this.inTransaction = false;
    if (this.open) clearTimeout(this.open.idle);
    this.open = null;
    if (upstream) {
      // end() waits for the server; destroying the socket ends a hung statement at once.
      (upstream.client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      void upstream.client.end().catch(() => undefined);
    }
  }

  private onNotice(msg: { message?: string; severity?: string }): void {
    const sink = this.notices;
    if (!sink || sink.list.length >= MAX_NOTICES) return;
    try {
      sink.list.push(`${msg.severity ?? 'NOTICE'}: ${maskText(sink.masker, msg.message ?? '')}`);
    } catch {
      sink.list.push('NOTICE: (withheld: masking failed)');
    }
  }

  private async begin(client: pg.Client, ctx: RunContext): Promise<void> {
    const approved = ctx.access === 'approved-write';
    await client.query(approved ? 'BEGIN READ WRITE' : 'BEGIN READ ONLY');
    this.inTransaction = true;
    // An approved write runs without the timeout (invariant 3); everything else is bounded.
    const timeout = approved ? 0 : Math.max(1, Math.floor(ctx.statementTimeoutMs));
    await client.query(`SET LOCAL statement_timeout = ${timeout}`);
  }

  /** Ends the run's transaction; returns an error result when an approved write failed to commit. */
  private async endTransaction(commit: boolean, masker: Masker): Promise<SqlStatementResult | null> {
    if (!this.inTransaction || !this.upstream) return null;
    this.inTransaction = false;
    const started = performance.now();
    try {
      await this.upstream.client.query(commit ? 'COMMIT' : 'ROLLBACK');
      return null;
    } catch (err) {
      if (!commit) {
        this.dropConnection();
        return null;
      }
      return { status: 'error', error: maskServerError(masker, err, () => undefined), durationMs: performance.now() - started };
    }
  }

  /** Closes the open cursor (if any) and ends its transaction. */
  /** A FETCH failed: close the result; a cancel ends the page quietly, anything else is a masked error. */
  private async failFetch(open: NonNullable<typeof this.open>, err: unknown): Promise<SqlPage> {
    const cancelled = this.running?.cancelRequested ?? false;
    this.running = null;
    await this.finishOpen();
    if (cancelled) return { rows: [], hasMore: false, rowCount: open.delivered, capped: false };
    const error = maskServerError(open.masker, err, () => undefined);
    throw new GatehouseError('invalid_input', `The statement failed while fetching more rows: ${error.message}`);
  }

  private async finishOpen(): Promise<void> {
    const open = this.open;
    if (!open) return;
    this.open = null;
    clearTimeout(open.idle);
    open.buffer = [];
    open.prefetch = null;
    await this.endTransaction(false, open.masker);
  }

  private idleTimer(): NodeJS.Timeout {
    // An open cursor holds a snapshot on the server (and, on PGlite, the one shared session):
    // a result nobody reads any more is closed.
    const t = setTimeout(() => void this.exclusive(() => this.finishOpen()).catch(() => undefined), this.idleCursorMs);
    t.unref();
    return t;
  }

  /** Sends the FETCH for the next page without waiting for it (see OpenCursor.prefetch). */
  private startPrefetch(open: OpenCursor, ask: number): void {
    const client = this.upstream?.client;
    if (open.exhausted || open.prefetch || ask <= 0 || !client) return;
    const prefetch: Prefetch = {
      settled: false,
      done: this.fetchRaw(client, open.name, ask).then(
        (r) => ({ rows: r.rows, asked: ask }),
        (error: unknown) => ({ error }),
      ),
    };
    void prefetch.done.then(() => {
      prefetch.settled = true;
    });
    open.prefetch = prefetch;
  }

  private fetchRaw(client: pg.Client, cursor: string, count: number): Promise<{ rows: unknown[][]; fields: FieldDef[] }> {
    return fetchFromCursor(client, cursor, count);
  }

  private async execute(client: pg.Client, statement: SqlStatement, isLast: boolean, ctx: RunContext, started: number): Promise<SqlStatementResult> {
    const firstPage = Math.min(ctx.pageSize, ctx.maxRows);
    if (statement.statementType === 'SelectStmt') {
      const name = `gatehouse_cursor_${++this.cursorSeq}`;
      const prefix = `DECLARE ${name} NO SCROLL CURSOR FOR `;
      // Extended protocol: the server accepts exactly one statement, whatever the text holds.
      const declare = { text: prefix + statement.text, queryMode: 'extended' } as pg.QueryConfig;
      try {
        await client.query(declare);
      } catch (err) {
        throw new PositionedError(err, prefix.length);
      }
      const raw = await this.fetchRaw(client, name, firstPage + 1);
      return this.rowsResult(client, raw.fields, raw.rows, { name, isLast, firstPage, ctx, started });
    }
    // SHOW, EXPLAIN, EXECUTE, FETCH from a user cursor, utility statements: read through a
    // protocol-level cursor, at most one page, so even FETCH ALL cannot fill memory.
    const bounded = await readBounded(client, statement.text, firstPage + 1);
    if (bounded.fields.length === 0) {
      return { status: 'done', command: bounded.command || 'OK', rowCount: bounded.rowCount, durationMs: performance.now() - started };
    }
    return this.rowsResult(client, bounded.fields, bounded.rows, { name: null, isLast: false, firstPage, ctx, started });
  }

  private async rowsResult(
    client: pg.Client,
    fields: FieldDef[],
    rows: unknown[][],
    o: { name: string | null; isLast: boolean; firstPage: number; ctx: RunContext; started: number },
  ): Promise<SqlStatementResult> {
    await this.catalog.load(fields, { query: (text, values) => client.query({ text, values, rowMode: 'array' }) });
    const refs = fields.map((f) => this.catalog.columnRef(f));
    const columns = fields.map((f) => this.catalog.column(f));
    const page = rows.slice(0, o.firstPage);
    const carry = rows.length > o.firstPage ? rows[o.firstPage]! : null;
    let masked;
    try {
      masked = maskRows(o.ctx.masker, refs, page);
    } catch (err) {
      if (o.name) await client.query(`CLOSE ${o.name}`).catch(() => undefined);
      throw err;
    }
    const queryId = `${this.id}.${++this.cursorSeq}`;
    const cap = o.ctx.maxRows;
    // Only the last statement's result stays open; earlier ones (and non-SELECT results) show
    // their first page, marked capped when more rows existed.
    const keepOpen = o.name !== null && o.isLast && carry !== null && page.length < cap;
    if (keepOpen) {
      const buffer = [carry];
      let exhausted = false;
      if (this.upstream?.sharedSession) {
        // PGlite serves every connection from one session and holds the others while a
        // transaction is open, so an idle cursor would stall every other tab (and the schema
        // browser). There the rest of the result, up to the cap, is read now (memory bounded
        // by the role's cap) and the transaction ends at once.
        const rest = await this.fetchRaw(client, o.name!, cap - page.length);
        buffer.push(...rest.rows);
        exhausted = true;
        await client.query(`CLOSE ${o.name}`);
      }
      this.open = { queryId, name: o.name!, refs, masker: o.ctx.masker, delivered: page.length, cap, buffer, exhausted, prefetch: null, idle: this.idleTimer() };
    } else if (o.name) {
      await client.query(`CLOSE ${o.name}`);
    }
    return {
      status: 'rows',
      queryId,
      columns,
      rows: masked,
      hasMore: keepOpen,
      rowCount: page.length,
      capped: carry !== null && !keepOpen,
      rowCap: o.name !== null && o.isLast ? cap : o.firstPage,
      durationMs: performance.now() - o.started,
    };
  }

  private failure(err: unknown, statement: SqlStatement, ctx: RunContext, started: number): SqlStatementResult {
    const durationMs = performance.now() - started;
    if (this.running?.cancelRequested) return { status: 'cancelled', durationMs };
    if (err instanceof MaskingError) {
      return { status: 'error', error: { message: 'Masking failed, so the result was withheld' }, durationMs };
    }
    const inner = err instanceof PositionedError ? err.inner : err;
    if (!this.upstream) {
      return { status: 'error', error: { message: `The connection was lost (${errorCode(inner)}); run again to reconnect` }, durationMs };
    }
    const prefix = err instanceof PositionedError ? err.prefixLength : 0;
    const error = maskServerError(ctx.masker, inner, (pos) => {
      const index = pos - 1 - prefix;
      return index < 0 ? undefined : statement.location.start + codePointsToUnits(statement.text, index);
    });
    const code = (inner as { code?: unknown }).code;
    if (code === '57014' && /statement timeout/i.test(String((inner as { message?: unknown }).message))) {
      error.hint = `The role's statement timeout is ${ctx.statementTimeoutMs} ms`;
    }
    return { status: 'error', error, durationMs };
  }
}

/** Appends in place; spreading a 10k-row page into push() would pass 10k arguments. */
function append(buffer: unknown[][], rows: readonly unknown[][]): void {
  for (const row of rows) buffer.push(row);
}

function withheld(err: unknown): GatehouseError {
  return new GatehouseError('internal', err instanceof MaskingError ? 'Masking failed, so the page was withheld' : 'The page could not be prepared');
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code.replace(/[^A-Z0-9_]/gi, '').slice(0, 20) : 'no answer';
}
