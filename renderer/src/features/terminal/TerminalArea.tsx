import type { ConnectionSummary } from '@gatehouse/gateway-core/contract';
import { useEffect, useRef, useState } from 'react';
import { useAppState } from '../../app/AppContext';
import { EmptyArea } from '../workspace/EmptyArea';
import { TerminalPane } from './TerminalPane';
import { TerminalTabs, type TerminalTabModel } from './TerminalTabs';
import { TerminalSession } from './use-terminal-session';
import './terminal.css';

let nextTabId = 1;

/**
 * The terminal area: one tab per brokered shell. It stays mounted while other areas are shown
 * (`hidden`), so that sessions, their scrollback and their xterms survive an area switch.
 */
export function TerminalArea({ connection, hidden = false }: { connection: ConnectionSummary | null; hidden?: boolean }) {
  const { bridge } = useAppState();
  const [tabs, setTabs] = useState<TerminalTabModel[]>([]);
  const [activeId, setActiveId] = useState<string | null>(null);
  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;

  const openTab = (c: ConnectionSummary): void => {
    const id = `t${nextTabId++}`;
    const tab: TerminalTabModel = { id, connection: c, session: new TerminalSession(bridge, c.id), label: c.name };
    setTabs((ts) => labelTabs([...ts, tab]));
    setActiveId(id);
  };

  const closeTab = (id: string): void => {
    const index = tabs.findIndex((t) => t.id === id);
    tabs[index]?.session.dispose();
    const rest = tabs.filter((t) => t.id !== id);
    setTabs(labelTabs(rest));
    if (activeId === id) setActiveId(rest[Math.min(index, rest.length - 1)]?.id ?? null);
  };

  // Selecting an SSH connection focuses its newest tab, or opens one. The ref makes this run once
  // per selection, so that closing that tab while the connection stays selected does not reopen it
  // (and StrictMode's double effect does not open two).
  const handledSelection = useRef<string | null>(null);
  const selectedSsh = connection?.type === 'ssh' ? connection : null;
  useEffect(() => {
    if (!selectedSsh) {
      handledSelection.current = null;
      return;
    }
    if (handledSelection.current === selectedSsh.id) return;
    handledSelection.current = selectedSsh.id;
    const existing = tabsRef.current.findLast((t) => t.connection.id === selectedSsh.id);
    if (existing) setActiveId(existing.id);
    else openTab(selectedSsh);
    // Keyed on the id alone: a refreshed connections list (new status) is not a new selection.
  }, [selectedSsh?.id]);

  // Leaving the app's workspace for good: end every shell this window opened.
  useEffect(() => () => tabsRef.current.forEach((t) => t.session.dispose()), []);

  const active = tabs.find((t) => t.id === activeId) ?? null;
  const newSessionFor = active?.connection ?? selectedSsh;

  return (
    <div className="terminal-area" hidden={hidden} data-testid="terminal-area">
      {tabs.length > 0 && (
        <TerminalTabs tabs={tabs} activeId={activeId} onSelect={setActiveId} onClose={closeTab} onNew={newSessionFor ? () => openTab(newSessionFor) : null} />
      )}
      <div className="terminal-panes">
        {tabs.map((tab) => (
          <TerminalPane key={tab.id} tab={tab} active={!hidden && tab.id === activeId} />
        ))}
        {tabs.length === 0 && (
          <EmptyArea icon="terminal" title={selectedSsh ? selectedSsh.name : 'Terminal'}>
            {selectedSsh ? (
              <>
                No session is open.{' '}
                <button type="button" className="terminal-button primary" data-testid="terminal-open" onClick={() => openTab(selectedSsh)}>
                  Open a terminal
                </button>
              </>
            ) : (
              'Pick an SSH connection on the left to open a brokered terminal: destructive commands are stopped before they run, and output is masked.'
            )}
          </EmptyArea>
        )}
      </div>
    </div>
  );
}

/** Numbers tabs that share a connection, so that two shells on one server can be told apart. */
function labelTabs(tabs: TerminalTabModel[]): TerminalTabModel[] {
  const seen = new Map<string, number>();
  return tabs.map((t) => {
    const n = (seen.get(t.connection.id) ?? 0) + 1;
    seen.set(t.connection.id, n);
    const label = n === 1 ? t.connection.name : `${t.connection.name} (${n})`;
    return label === t.label ? t : { ...t, label };
  });
}
