import type { ConnectionSummary } from '@gatehouse/gateway-core/contract';
import { useState } from 'react';
import { useAppState } from '../../app/AppContext';
import { hhmm } from '../approvals/approval-format';
import { useApprovals, useNow } from '../approvals/use-approvals';
import { AccessRequestDialog } from './AccessRequestDialog';

const TYPE_LABEL: Record<ConnectionSummary['type'], string> = { postgres: 'Postgres', ssh: 'SSH' };
const STATUS_LABEL: Record<ConnectionSummary['status'], string> = {
  ready: 'Ready',
  starting: 'Starting',
  unreachable: 'Unreachable',
  unknown: 'Not checked',
};

export function ConnectionList({ selectedId, onSelect }: { selectedId: string | null; onSelect: (c: ConnectionSummary) => void }) {
  const { connections } = useAppState();
  const { requests, me } = useApprovals();
  const now = useNow(15_000);
  const [asking, setAsking] = useState<string | null>(null);
  const askingFor = connections?.find((c) => c.id === asking) ?? null;
  /** My pending access request for a connection, if any. */
  const pendingAccess = (connectionId: string): string | null =>
    [...requests.values()].find((r) => r.kind === 'access' && r.status === 'pending' && r.connectionId === connectionId && r.requester === me)?.id ?? null;
  const granted = (c: ConnectionSummary): boolean => !c.access || (c.access.grantedUntil !== undefined && Date.parse(c.access.grantedUntil) > now);

  return (
    <nav className="connection-list">
      <h2 className="section-title">Connections</h2>
      {connections === null ? (
        <ul className="connection-items" aria-busy="true">
          {[0, 1].map((i) => (
            <li key={i} className="connection-item skeleton" />
          ))}
        </ul>
      ) : connections.length === 0 ? (
        <p className="empty-note">No connections are configured.</p>
      ) : (
        <ul className="connection-items" data-testid="connection-list">
          {connections.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className={`connection-item${c.id === selectedId ? ' selected' : ''}`}
                data-testid={`connection-${c.id}`}
                aria-current={c.id === selectedId}
                onClick={() => (granted(c) ? onSelect(c) : setAsking(c.id))}
                title={c.description ?? c.target}
              >
                <span className={`type-badge type-${c.type}`}>{TYPE_LABEL[c.type]}</span>
                <span className="connection-name">{c.name}</span>
                <span className="connection-target">{c.target}</span>
                <span className={`status-dot status-${c.status}`} data-testid="connection-status">
                  {STATUS_LABEL[c.status]}
                </span>
                {c.access && granted(c) && c.access.grantedUntil && (
                  <span className="access-line" data-testid="connection-access">
                    access until {hhmm(c.access.grantedUntil)}
                  </span>
                )}
              </button>
              {c.access && !granted(c) && (
                <div className="access-row">
                  <span className="access-line">{pendingAccess(c.id) ? 'Access pending' : 'By request'}</span>
                  <button type="button" className="small-button" data-testid={`request-access-${c.id}`} onClick={() => setAsking(c.id)}>
                    {pendingAccess(c.id) ? 'View request' : 'Request access'}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {askingFor?.access && (
        <AccessRequestDialog connection={askingFor} access={askingFor.access} pendingId={pendingAccess(askingFor.id)} onClose={() => setAsking(null)} />
      )}
    </nav>
  );
}
