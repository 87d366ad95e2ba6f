import type { ConnectionSummary } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';

const TYPE_LABEL: Record<ConnectionSummary['type'], string> = { postgres: 'Postgres', ssh: 'SSH' };
const STATUS_LABEL: Record<ConnectionSummary['status'], string> = {
  ready: 'Ready',
  starting: 'Starting',
  unreachable: 'Unreachable',
  unknown: 'Not checked',
};

export function ConnectionList({ selectedId, onSelect }: { selectedId: string | null; onSelect: (c: ConnectionSummary) => void }) {
  const { connections } = useAppState();
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
                onClick={() => onSelect(c)}
                title={c.description ?? c.target}
              >
                <span className={`type-badge type-${c.type}`}>{TYPE_LABEL[c.type]}</span>
                <span className="connection-name">{c.name}</span>
                <span className="connection-target">{c.target}</span>
                <span className={`status-dot status-${c.status}`} data-testid="connection-status">
                  {STATUS_LABEL[c.status]}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
