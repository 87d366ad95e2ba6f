import { useEffect } from 'react';
import { AgentReplay } from './AgentReplay';
import { SqlReplay } from './SqlReplay';
import { TerminalReplay } from './TerminalReplay';
import { bytes, dateTime, kindLabel } from './session-format';
import { useRecording } from './use-recording';

/**
 * One opened session: its metadata, load progress, and the replay for its kind. A session still
 * uploading is watched live (use-recording): a LIVE indicator until it completes, then "Ended".
 * `onEnded` tells the list, whose row still says live.
 */
export function SessionPlayer({ sessionId, onClose, onEnded }: { sessionId: string; onClose: () => void; onEnded?: () => void }) {
  const rec = useRecording(sessionId);
  const { view } = rec;
  const pct = rec.total > 0 ? Math.min(100, Math.round((rec.loaded / rec.total) * 100)) : 0;
  const ended = rec.live === 'ended';
  useEffect(() => {
    if (ended) onEnded?.();
  }, [ended, onEnded]);
  return (
    <section
      className="session-player"
      aria-label={`Session ${sessionId}`}
      data-testid="session-player"
      data-session-id={sessionId}
      data-loaded={rec.done}
      data-live={rec.live ?? 'no'}
    >
      <header className="session-player-head">
        <div>
          {/* '-': an agent tool that touches no connection (such as listing connections). */}
          <h2>{view ? (view.connectionId === '-' ? view.userName : `${view.userName} on ${view.connectionId}`) : sessionId}</h2>
          {view && (
            <p className="session-meta">
              {view.kind === 'terminal' ? 'Terminal' : kindLabel(view.kind)}
              {view.kind === 'agent' && view.detail && ` · ${view.detail}`} · {dateTime(view.startedAt)} · {rec.live === 'live' ? `${bytes(rec.loaded)} so far` : bytes(view.bodyBytes)}
              {rec.live && (
                <span
                  className={`live-indicator ${rec.live}`}
                  data-testid="live-indicator"
                  data-state={rec.live}
                  role="status"
                  title={rec.live === 'live' ? 'Still being recorded: shown as it is uploaded, a few seconds behind. Read-only.' : 'The session ended; its recording is complete and verified.'}
                >
                  {rec.live === 'live' ? '● LIVE' : 'Ended'}
                </span>
              )}
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
      {rec.liveError && (
        <div className="session-error" role="alert" data-testid="live-error">
          Live updates paused: {rec.liveError}. Trying again…
        </div>
      )}
      {!rec.error && rec.terminal && <TerminalReplay recording={rec.terminal} version={rec.version} loaded={rec.done} live={rec.live === 'live'} />}
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
