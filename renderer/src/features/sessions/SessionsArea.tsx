import { useState } from 'react';
import type { SessionFilter } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { DEFAULT_FILTER, SessionFilters } from './SessionFilters';
import { SessionPlayer } from './SessionPlayer';
import { SessionTable } from './SessionTable';
import { useSessionsList } from './use-sessions-list';
import './sessions.css';

/** Recorded sessions: the filtered list on the left, the selected one's replay on the right. */
export function SessionsArea() {
  const [filter, setFilter] = useState<SessionFilter>(DEFAULT_FILTER);
  const [openId, setOpenId] = useState<string | null>(null);
  const list = useSessionsList(filter);
  // Another identity may not see what this one opened: its replay is asked for again.
  const me = useAppState().identity?.current?.id ?? '';
  return (
    <div className="sessions-area" data-testid="sessions-area">
      <div className="sessions-list-pane">
        <SessionFilters
          onApply={(f) => {
            // Apply always asks again: the same filters may match sessions uploaded since.
            setFilter(f);
            list.reload();
          }}
        />
        <div className="sessions-list-status" role="status">
          {list.loading ? 'Loading sessions…' : list.error ? null : `${list.sessions.length} session${list.sessions.length === 1 ? '' : 's'}`}
        </div>
        {list.error && (
          <div className="session-error" role="alert">
            {list.error}{' '}
            <button type="button" className="session-button" onClick={list.reload}>
              Retry
            </button>
          </div>
        )}
        <div className="sessions-table-scroll">
          <SessionTable sessions={list.sessions} selectedId={openId} onOpen={setOpenId} />
        </div>
      </div>
      <div className="sessions-player-pane">
        {openId ? (
          // A live session that ends is complete in the list too: it is asked again.
          <SessionPlayer key={`${me}\n${openId}`} sessionId={openId} onClose={() => setOpenId(null)} onEnded={list.reload} />
        ) : (
          <p className="sessions-hint">Choose a session to replay it, or a live one to watch it as it runs.</p>
        )}
      </div>
    </div>
  );
}
