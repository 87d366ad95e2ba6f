import type { ConnectionSummary } from '@gatehouse/gateway-core/contract';
import { DISPLAY_LABEL, displayState, useSessionSnapshot, type TerminalSession } from './use-terminal-session';

export interface TerminalTabModel {
  /** Renderer-local and stable across reconnects (the host's terminalId changes on each). */
  id: string;
  connection: ConnectionSummary;
  session: TerminalSession;
  /** "demo-ssh (2)" when several tabs share a connection. */
  label: string;
}

export function TerminalTabs({
  tabs,
  activeId,
  onSelect,
  onClose,
  onNew,
}: {
  tabs: TerminalTabModel[];
  activeId: string | null;
  onSelect: (id: string) => void;
  onClose: (id: string) => void;
  onNew: (() => void) | null;
}) {
  return (
    <div className="terminal-tabs">
      <div className="terminal-tab-list" role="tablist" aria-label="Terminal sessions">
        {tabs.map((tab) => (
          <TerminalTab key={tab.id} tab={tab} active={tab.id === activeId} onSelect={() => onSelect(tab.id)} onClose={() => onClose(tab.id)} />
        ))}
      </div>
      {onNew && (
        <button type="button" className="terminal-icon-button" aria-label="New terminal session" title="New session on the same server" data-testid="terminal-new" onClick={onNew}>
          +
        </button>
      )}
    </div>
  );
}

function TerminalTab({ tab, active, onSelect, onClose }: { tab: TerminalTabModel; active: boolean; onSelect: () => void; onClose: () => void }) {
  const snapshot = useSessionSnapshot(tab.session);
  const state = displayState(snapshot);
  const detail = state === 'blocked' ? (snapshot.notice?.reason ?? snapshot.message) : state === 'disconnected' ? snapshot.message : null;
  return (
    <div role="presentation" className={`terminal-tab${active ? ' active' : ''}`} data-testid="terminal-tab" data-connection-id={tab.connection.id} data-active={active}>
      <button
        type="button"
        role="tab"
        id={`terminal-tab-${tab.id}`}
        aria-selected={active}
        aria-controls={`terminal-panel-${tab.id}`}
        className="terminal-tab-select"
        title={detail ? `${tab.label}: ${detail}` : tab.label}
        onClick={onSelect}
      >
        <span className="terminal-tab-name">{tab.label}</span>
        <span className={`terminal-state state-${state}`} data-testid="terminal-state" data-state={state}>
          {DISPLAY_LABEL[state]}
        </span>
      </button>
      <button type="button" className="terminal-tab-close" aria-label={`Close ${tab.label}`} data-testid="terminal-tab-close" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
