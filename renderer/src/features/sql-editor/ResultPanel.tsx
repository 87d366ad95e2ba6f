import { useEffect, useState } from 'react';
import type { SqlError, SqlRefusal, SqlStatementResult } from '@gatehouse/gateway-core/contract';
import { ResultsGrid } from './ResultsGrid';
import type { GridData, RunOrigin, RunView } from './use-sql-session';

const n = (x: number): string => x.toLocaleString('en-US');
const plural = (x: number, one: string): string => `${n(x)} ${one}${x === 1 ? '' : 's'}`;
const ms = (d: number): string => (d >= 1000 ? `${(d / 1000).toFixed(1)} s` : `${Math.round(d)} ms`);

/** One line per statement, for the compact list of a multi-statement run. */
export function summarize(r: SqlStatementResult): string {
  switch (r.status) {
    case 'rows':
      return `${plural(r.rowCount, 'row')}${r.hasMore ? '+' : ''} · ${ms(r.durationMs)}`;
    case 'done':
      return `${r.command}${r.rowCount === null ? '' : ` ${n(r.rowCount)}`} · ${ms(r.durationMs)}`;
    case 'error':
      return `Error: ${r.error.message}`;
    case 'refused':
      return `${r.refusal.action === 'approve' ? 'Needs approval' : 'Refused'}: ${r.refusal.reason}`;
    case 'cancelled':
      return 'Cancelled';
  }
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, []);
  return <span className="elapsed" data-testid="sql-elapsed">{((now - since) / 1000).toFixed(1)} s</span>;
}

function statusText(view: RunView): string {
  if (view.failure) return 'Not run';
  const final = view.results[view.results.length - 1];
  if (!final) return 'Nothing to run';
  if (final.status === 'cancelled') return `Cancelled after ${ms(final.durationMs)}`;
  if (final.status === 'refused') return final.refusal.action === 'approve' ? 'Needs approval: not run' : 'Refused: not run';
  if (final.status === 'error') return `Failed after ${ms(final.durationMs)}`;
  if (final.status === 'done') return summarize(final);
  return '';
}

function StatusLine({ view, grid }: { view: RunView; grid: GridData | null }) {
  const label = view.origin?.label ? <span className="status-label">{view.origin.label}</span> : null;
  let body;
  if (view.phase === 'idle') body = <span className="muted">Ctrl+Enter runs the statement, or the selection when there is one.</span>;
  else if (view.phase === 'running')
    body = (
      <>
        <span className="spinner" aria-hidden />
        <span>{view.cancelRequested ? 'Cancelling…' : 'Running…'}</span>
        {view.startedAt !== null && <Elapsed since={view.startedAt} />}
      </>
    );
  else {
    const final = view.results[view.results.length - 1];
    const rowsShown = final?.status === 'rows' && grid;
    body = rowsShown ? (
      <>
        <span data-testid="sql-row-count">{plural(grid.rows.length, 'row')}</span>
        <span className="muted">· {ms(final.durationMs)}</span>
        {grid.hasMore && <span className="muted">· more load as you scroll{grid.fetching ? '…' : ''}</span>}
      </>
    ) : (
      <span className={`status-${final?.status ?? 'none'}`}>{statusText(view)}</span>
    );
  }
  return (
    <div className="result-status" data-testid="sql-status" data-phase={view.phase} role="status">
      {label}
      {body}
      {grid?.capped && view.phase === 'done' && (
        <span className="cap-notice" data-testid="cap-notice">
          Showing the first {n(grid.rowCap)} rows (row cap)
        </span>
      )}
    </div>
  );
}

/** The part of the submitted text a refusal or error points at, to show beside the reason. */
function excerpt(origin: RunOrigin | null, start: number, end: number): string | null {
  const part = origin?.text.slice(start, Math.max(end, start + 1)).trim();
  return part ? (part.length > 120 ? `${part.slice(0, 117)}…` : part) : null;
}

function RefusalPanel({ refusal, origin, onRequestApproval }: { refusal: SqlRefusal; origin: RunOrigin | null; onRequestApproval: ((refusal: SqlRefusal) => void) | null }) {
  const part = refusal.location ? excerpt(origin, refusal.location.start, refusal.location.end) : null;
  return (
    <div className="sql-error refusal" role="alert" data-testid="sql-error" data-kind="refused" data-class={refusal.class ?? 'unclassified'} data-rule={refusal.rule}>
      <div className="error-title">{refusal.action === 'approve' ? 'Needs approval: the statement was not run' : 'Refused by policy: the statement was not run'}</div>
      <div className="error-message" data-testid="sql-error-reason">{refusal.reason}</div>
      <div className="error-meta">
        <span>
          Class <b>{refusal.class ?? 'unclassified'}</b>
        </span>
        <span>
          Rule <b>{refusal.rule}</b>
        </span>
        {part && (
          <span>
            Triggered by <code>{part}</code>
          </span>
        )}
      </div>
      {refusal.action === 'approve' && onRequestApproval && (
        <div className="refusal-actions">
          <span className="muted">An approver can let exactly this statement run once.</span>
          <button type="button" className="primary-button" onClick={() => onRequestApproval(refusal)} data-testid="sql-request-approval">
            Request approval
          </button>
        </div>
      )}
    </div>
  );
}

function ErrorPanel({ error }: { error: SqlError }) {
  return (
    <div className="sql-error" role="alert" data-testid="sql-error" data-kind="error" data-sqlstate={error.sqlstate}>
      <div className="error-title">Error{error.sqlstate ? ` ${error.sqlstate}` : ''}</div>
      <div className="error-message">{error.message}</div>
      {(error.detail || error.hint) && (
        <div className="error-meta">
          {error.detail && <span>Detail: {error.detail}</span>}
          {error.hint && <span>Hint: {error.hint}</span>}
        </div>
      )}
    </div>
  );
}

function Problems({ view, grid, onRequestApproval }: { view: RunView; grid: GridData | null; onRequestApproval: ((refusal: SqlRefusal) => void) | null }) {
  const final = view.results[view.results.length - 1];
  const messages = [view.failure, view.cancelError, grid?.fetchError].filter((m): m is string => Boolean(m));
  return (
    <>
      {messages.map((m) => (
        <div key={m} className="sql-error" role="alert" data-testid="sql-error" data-kind="failure">
          <div className="error-message">{m}</div>
        </div>
      ))}
      {final?.status === 'refused' && <RefusalPanel refusal={final.refusal} origin={view.origin} onRequestApproval={onRequestApproval} />}
      {final?.status === 'error' && <ErrorPanel error={final.error} />}
    </>
  );
}

export function ResultPanel({
  view,
  onFetchMore,
  onRetryFetch,
  onRequestApproval = null,
}: {
  view: RunView;
  onFetchMore: () => void;
  onRetryFetch: () => void;
  /** Offered on a refusal whose action is 'approve'; null when a request for this text is already pending. */
  onRequestApproval?: ((refusal: SqlRefusal) => void) | null;
}) {
  const grid = view.grid;
  return (
    <div className="result-panel">
      <StatusLine view={view} grid={grid} />
      <Problems view={view} grid={grid} onRequestApproval={onRequestApproval} />
      {view.results.length > 1 && (
        <ol className="statement-list" data-testid="statement-list" aria-label="Statements in this run">
          {view.results.map((r, i) => (
            <li key={i} className={`statement-${r.status}`}>
              {summarize(r)}
            </li>
          ))}
        </ol>
      )}
      {view.notices.length > 0 && (
        <ul className="notice-list" aria-label="Notices">
          {view.notices.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
      {grid ? (
        <>
          <ResultsGrid columns={grid.columns} rows={grid.rows} hasMore={grid.hasMore} onNearEnd={onFetchMore} />
          {grid.fetchError && (
            <button type="button" className="small-button retry" onClick={onRetryFetch}>
              Retry loading rows
            </button>
          )}
        </>
      ) : (
        <div className="results-empty">{view.phase === 'running' ? '' : 'Results appear here.'}</div>
      )}
    </div>
  );
}
