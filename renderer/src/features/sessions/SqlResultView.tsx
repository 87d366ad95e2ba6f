import { ResultsGrid } from '../sql-editor/ResultsGrid';
import type { SqlRun } from './sql-recording';

const noop = (): void => undefined;

/**
 * A run's recorded results in full, as the user saw them (masked, at most the recorder's cap).
 * An agent call shows its query results with this too: there `title` names the result and there
 * is nothing to close, since the result is part of the call's view.
 */
export function SqlResultView({ run, onClose, title }: { run: SqlRun; onClose?: () => void; title?: string }) {
  const heading = title ?? `Run #${run.run}`;
  return (
    <section className="sql-result-view" aria-label={title ?? `Result of run ${run.run}`} data-testid="sql-result-view">
      <header className="session-player-head">
        <h3>{heading}</h3>
        {onClose && (
          <button type="button" className="session-button" onClick={onClose}>
            Close result
          </button>
        )}
      </header>
      {run.text && <pre className="sql-text">{run.text}</pre>}
      {run.decision && (
        <p className="session-meta">
          {run.decision.action} · {run.decision.reason}
          {run.decision.approvalId && ` · approval ${run.decision.approvalId}`}
        </p>
      )}
      {run.notices.map((n, i) => (
        <p key={i} className="session-meta">
          NOTICE: {n}
        </p>
      ))}
      {run.results.map((r) => (
        <div key={r.index} className="sql-result-block">
          <p className="session-meta">
            Statement {r.index + 1}
            {r.command && ` · ${r.command}`}
            {r.rowCount !== null && ` · ${r.rowCount} row${r.rowCount === 1 ? '' : 's'}`}
            {r.more && ' · more existed than were fetched'}
            {r.capped && ' · stopped by the row cap'}
            {r.rows.length > 0 && r.rowCount !== null && r.rows.length < r.rowCount && ` · first ${r.rows.length} recorded`}
            {r.cancelled && ' · cancelled'}
          </p>
          {r.error && (
            <div className="session-error" role="note">
              {r.error.sqlstate && `${r.error.sqlstate}: `}
              {r.error.message}
              {r.error.detail && <div>{r.error.detail}</div>}
              {r.error.hint && <div>Hint: {r.error.hint}</div>}
            </div>
          )}
          {r.columns && r.columns.length > 0 && (
            <div className="sql-result-grid">
              <ResultsGrid columns={r.columns} rows={r.rows} hasMore={false} onNearEnd={noop} />
            </div>
          )}
        </div>
      ))}
      {run.results.length === 0 && <p className="sessions-hint">{run.decision?.action === 'deny' || run.decision?.action === 'approve' ? 'Not run.' : 'No result recorded.'}</p>}
    </section>
  );
}
