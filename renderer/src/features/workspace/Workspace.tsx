import { useAppState } from '../../app/AppContext';
import { ApprovalsArea } from '../approvals/ApprovalsArea';
import { InboxBadge } from '../approvals/InboxBadge';
import { PolicyServerBanner } from '../approvals/PolicyServerNote';
import { SessionsArea } from '../sessions/SessionsArea';
import { SqlEditorArea } from '../sql-editor/SqlEditorArea';
import { TerminalArea } from '../terminal/TerminalArea';

export type WorkspaceArea = 'sql' | 'terminal' | 'approvals' | 'sessions';

const AREAS: ReadonlyArray<{ id: WorkspaceArea; label: string }> = [
  { id: 'sql', label: 'SQL editor' },
  { id: 'terminal', label: 'Terminal' },
  { id: 'approvals', label: 'Approvals' },
  { id: 'sessions', label: 'Sessions' },
];

export function Workspace({
  area,
  onAreaChange,
  selectedConnection,
}: {
  area: WorkspaceArea;
  onAreaChange: (area: WorkspaceArea) => void;
  selectedConnection: string | null;
}) {
  const { connections } = useAppState();
  const connection = connections?.find((c) => c.id === selectedConnection) ?? null;
  return (
    <div className="workspace">
      <PolicyServerBanner />
      <div className="area-tabs" role="tablist" aria-label="Workspace">
        {AREAS.map((a) => (
          <button
            key={a.id}
            type="button"
            role="tab"
            id={`tab-${a.id}`}
            aria-selected={a.id === area}
            aria-controls={`panel-${a.id}`}
            className="area-tab"
            onClick={() => onAreaChange(a.id)}
          >
            {a.label}
            {a.id === 'approvals' && <InboxBadge />}
          </button>
        ))}
      </div>
      <section className="area-panel" role="tabpanel" id={`panel-${area}`} aria-labelledby={`tab-${area}`}>
        {/* Always mounted (hidden elsewhere) so that editor tabs keep their text, results and sessions. */}
        <SqlEditorArea connection={connection?.type === 'postgres' ? connection : null} hidden={area !== 'sql'} />
        {/* Always mounted (hidden elsewhere) so that open shells and their scrollback survive an area switch. */}
        <TerminalArea connection={connection?.type === 'ssh' ? connection : null} hidden={area !== 'terminal'} />
        {area === 'approvals' && <ApprovalsArea />}
        {area === 'sessions' && <SessionsArea />}
      </section>
    </div>
  );
}
