import { useCallback, useEffect, useRef, useState } from 'react';
import type { GatehouseBridge, MaskedCell, SqlColumn, SqlRunResult, SqlStatementResult } from '@gatehouse/gateway-core/contract';
import { BridgeFailure, call, messageOf, plainError } from './bridge-call';

export type RowsResult = Extract<SqlStatementResult, { status: 'rows' }>;

/** The grid's data: the last row result of a run, growing as further pages are fetched. */
export interface GridData {
  queryId: string;
  columns: SqlColumn[];
  rows: MaskedCell[][];
  hasMore: boolean;
  capped: boolean;
  rowCap: number;
  fetching: boolean;
  fetchError: string | null;
}

/** What was sent, and where it sits in the editor (null when it did not come from the editor text). */
export interface RunOrigin {
  text: string;
  editorOffset: number | null;
  label?: string;
}

export interface RunView {
  phase: 'idle' | 'running' | 'done';
  startedAt: number | null;
  origin: RunOrigin | null;
  results: SqlStatementResult[];
  notices: string[];
  /** The run never got an answer from the database (session could not open, host unreachable). */
  failure: string | null;
  cancelRequested: boolean;
  cancelError: string | null;
  grid: GridData | null;
}

const IDLE: RunView = { phase: 'idle', startedAt: null, origin: null, results: [], notices: [], failure: null, cancelRequested: false, cancelError: null, grid: null };
/** Rows per sql.fetch: enough to stay ahead of scrolling, small enough that nothing is pulled eagerly. */
const PAGE_ROWS = 1000;

function toGrid(r: RowsResult): GridData {
  return { queryId: r.queryId, columns: r.columns, rows: r.rows, hasMore: r.hasMore, capped: r.capped, rowCap: r.rowCap, fetching: false, fetchError: null };
}

/**
 * One editor tab's upstream session: opened on first use, closed with the tab. Each run replaces
 * the previous one; answers that arrive for a superseded run are dropped (runSeq).
 */
export function useSqlSession(bridge: GatehouseBridge, connectionId: string) {
  const [view, setView] = useState<RunView>(IDLE);
  const viewRef = useRef(view);
  viewRef.current = view;
  const session = useRef<string | null>(null);
  const opening = useRef<Promise<string> | null>(null);
  const runSeq = useRef(0);
  const fetching = useRef(false);
  const cancelBeforeSend = useRef(false);

  const ensureSession = useCallback((): Promise<string> => {
    if (session.current) return Promise.resolve(session.current);
    opening.current ??= call(bridge.invoke('sql.open', { connectionId }), 'open a session on this database')
      .then(({ sessionId }) => (session.current = sessionId))
      .finally(() => (opening.current = null));
    return opening.current;
  }, [bridge, connectionId]);

  const run = useCallback(
    async (origin: RunOrigin): Promise<void> => {
      const seq = ++runSeq.current;
      fetching.current = false;
      cancelBeforeSend.current = false;
      const startedAt = Date.now();
      setView({ ...IDLE, phase: 'running', startedAt, origin });
      try {
        let sessionId = await ensureSession();
        if (cancelBeforeSend.current) {
          // Cancelled while the session was still opening: nothing reached the database.
          if (seq === runSeq.current) setView((v) => ({ ...v, phase: 'done', results: [{ status: 'cancelled', durationMs: Date.now() - startedAt }] }));
          return;
        }
        let res = await bridge.invoke('sql.run', { sessionId, text: origin.text });
        if ('error' in res && res.error.code === 'not_found') {
          // The host dropped the session (restart, idle timeout); the statement never ran, so one retry is safe.
          session.current = null;
          sessionId = await ensureSession();
          res = await bridge.invoke('sql.run', { sessionId, text: origin.text });
        }
        if ('error' in res) throw new BridgeFailure(res.error, plainError(res.error, 'run the statement'));
        if (seq !== runSeq.current) return;
        const { results, notices } = res.ok;
        const last = results.findLast((r): r is RowsResult => r.status === 'rows');
        setView((v) => ({ ...v, phase: 'done', results, notices, grid: last ? toGrid(last) : null }));
      } catch (e) {
        if (seq === runSeq.current) setView((v) => ({ ...v, phase: 'done', failure: messageOf(e) }));
      }
    },
    [bridge, ensureSession],
  );

  const cancel = useCallback(async (): Promise<void> => {
    if (viewRef.current.phase !== 'running') return;
    setView((v) => ({ ...v, cancelRequested: true, cancelError: null }));
    const sessionId = session.current;
    if (!sessionId) {
      cancelBeforeSend.current = true;
      return;
    }
    const r = await bridge.invoke('sql.cancel', { sessionId });
    if ('error' in r) setView((v) => ({ ...v, cancelRequested: false, cancelError: plainError(r.error, 'cancel the statement') }));
  }, [bridge]);

  const fetchMore = useCallback(async (): Promise<void> => {
    const grid = viewRef.current.grid;
    // One page in flight at most: the grid asks again only after this one lands (backpressure).
    if (!grid?.hasMore || grid.fetchError || fetching.current) return;
    fetching.current = true;
    const seq = runSeq.current;
    setView((v) => (v.grid ? { ...v, grid: { ...v.grid, fetching: true } } : v));
    const r = await bridge.invoke('sql.fetch', { queryId: grid.queryId, maxRows: PAGE_ROWS });
    if (seq !== runSeq.current) return;
    fetching.current = false;
    setView((v) => {
      if (!v.grid) return v;
      if ('error' in r) return { ...v, grid: { ...v.grid, fetching: false, fetchError: plainError(r.error, 'load more rows') } };
      return {
        ...v,
        grid: { ...v.grid, rows: v.grid.rows.concat(r.ok.rows), hasMore: r.ok.hasMore, capped: v.grid.capped || r.ok.capped, fetching: false },
      };
    });
  }, [bridge]);

  const retryFetch = useCallback((): void => {
    setView((v) => (v.grid ? { ...v, grid: { ...v.grid, fetchError: null } } : v));
    // The ref mirrors state on the next render; give it that render before asking again.
    setTimeout(() => void fetchMore(), 0);
  }, [fetchMore]);

  const exportCsv = useCallback(
    async (text: string) => {
      const sessionId = await ensureSession();
      return call(bridge.invoke('sql.exportCsv', { sessionId, text }), 'export the result');
    },
    [bridge, ensureSession],
  );

  /**
   * Shows a result that did not come from `run`: an approved statement that gateway-core ran in
   * this tab's session (approvals.sqlResult). It supersedes whatever the panel showed.
   */
  const showResult = useCallback((origin: RunOrigin, result: SqlRunResult): void => {
    runSeq.current++;
    fetching.current = false;
    const last = result.results.findLast((r): r is RowsResult => r.status === 'rows');
    setView({ ...IDLE, phase: 'done', startedAt: Date.now(), origin, results: result.results, notices: result.notices, grid: last ? toGrid(last) : null });
  }, []);

  const close = useCallback(async (): Promise<void> => {
    runSeq.current++;
    const sessionId = session.current;
    session.current = null;
    if (sessionId) await bridge.invoke('sql.close', { sessionId });
  }, [bridge]);

  // A tab that unmounts without an explicit close (page teardown) still releases its upstream session.
  useEffect(() => () => void close(), [close]);

  return { view, run, cancel, fetchMore, retryFetch, exportCsv, close, showResult, sessionId: ensureSession };
}

export type SqlSession = ReturnType<typeof useSqlSession>;
