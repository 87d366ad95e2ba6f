import { AgentReplay } from './AgentReplay';
import { SqlReplay } from './SqlReplay';
import { TerminalReplay } from './TerminalReplay';
import { bytes, dateTime, kindLabel } from './session-format';
import { useRecording } from './use-recording';

/** One opened session: its metadata, load progress, and the replay for its kind. */
export function SessionPlayer({ sessionId, onClose }: { sessionId: string; onClose: () => void }) {
  const rec = useRecording(sessionId);
  const { view } = rec;
  const pct = rec.total > 0 ? Math.min(100, Math.round((rec.loaded / rec.total) * 100)) : 0;
  return (
    <section className="session-player" aria-label={`Session ${sessionId}`} data-testid="session-player" data-session-id={sessionId} data-loaded={rec.done}>
      <header className="session-player-head">
        <div>
          {/* '-': an agent tool that touches no connection (such as listing connections). */}
          <h2>{view ? (view.connectionId === '-' ? view.userName : `${view.userName} on ${view.connectionId}`) : sessionId}</h2>
          {view && (
            <p className="session-meta">
              {view.kind === 'terminal' ? 'Terminal' : kindLabel(view.kind)}
              {view.kind === 'agent' && view.detail && ` · ${view.detail}`} · {dateTime(view.startedAt)} · {bytes(view.bodyBytes)}
              {view.status === 'uploading' && <span className="live-badge">Live: still recording or uploading</span>}
            </p>
          )}
        </div>
        <button type="button" className="session-button" onClick={onClose} aria-label="Close session">
          Close
        </button>
      </header>
      {rec.error && (
        <div className="session-error" role="alert" data-testid="session-open-error">
          {rec.error}
        </div>
      )}
      {!rec.error && !rec.done && (
        <div className="session-progress" role="progressbar" aria-label="Loading recording" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
          Loading recording… {view ? `${bytes(rec.loaded)} of ${bytes(rec.total)}` : ''}
        </div>
      )}
      {!rec.error && rec.terminal && <TerminalReplay recording={rec.terminal} version={rec.version} loaded={rec.done} live={view?.status === 'uploading'} />}
      {!rec.error && rec.sql && <SqlReplay recording={rec.sql} version={rec.version} />}
      {!rec.error && rec.agent && <AgentReplay recording={rec.agent} view={view} version={rec.version} />}
      {rec.done && rec.loadMs !== null && (
        <p className="session-meta" data-testid="replay-load-ms">
          Loaded in {rec.loadMs} ms{rec.terminal ? ` · ${rec.terminal.length} events, ${rec.terminal.keyframes.length} keyframes` : ''}
          {(rec.terminal?.skipped ?? rec.sql?.skipped ?? rec.agent?.skipped) ? ` · ${rec.terminal?.skipped ?? rec.sql?.skipped ?? rec.agent?.skipped} unreadable lines skipped` : ''}
        </p>
      )}
    </section>
  );
}
