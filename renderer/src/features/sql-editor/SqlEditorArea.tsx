import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConnectionSummary } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { EmptyArea } from '../workspace/EmptyArea';
import { plainError } from './bridge-call';
import { EditorTabs, type EditorTabInfo } from './EditorTabs';
import { SchemaBrowser, type SchemaState } from './SchemaBrowser';
import { SqlTab, type SqlTabHandle } from './SqlTab';
import './sql-editor.css';

interface TabsState {
  tabs: EditorTabInfo[];
  activeId: string | null;
  nextId: number;
}

/**
 * Adds a tab for the connection. Pure (the id counter lives in state), because React may run
 * state updaters twice; `reuse` brings back the connection's existing tab instead.
 */
function withTab(s: TabsState, c: ConnectionSummary, reuse: boolean): TabsState {
  const existing = reuse ? s.tabs.find((t) => t.connectionId === c.id) : undefined;
  if (existing) return { ...s, activeId: existing.id };
  const count = s.tabs.filter((t) => t.connectionId === c.id).length;
  const tab = { id: `sql-tab-${s.nextId}`, connectionId: c.id, title: count ? `${c.name} (${count + 1})` : c.name };
  return { tabs: [...s.tabs, tab], activeId: tab.id, nextId: s.nextId + 1 };
}

/**
 * The SQL area: schema browser, editor tabs, and one mounted SqlTab per tab (hidden when not
 * active), so each tab keeps its text, its result and its upstream session while the user looks
 * elsewhere.
 */
export function SqlEditorArea({ connection, hidden }: { connection: ConnectionSummary | null; hidden: boolean }) {
  const { bridge, connections } = useAppState();
  const [state, setState] = useState<TabsState>({ tabs: [], activeId: null, nextId: 1 });
  const [schemas, setSchemas] = useState<Record<string, SchemaState>>({});
  const [collapsed, setCollapsed] = useState(false);
  const handles = useRef(new Map<string, SqlTabHandle>());
  const requested = useRef(new Set<string>());

  // Picking a PostgreSQL connection in the sidebar opens its tab, or brings back the one it has.
  // Keyed on the id: the list is rebuilt on every connections.changed event, and a status update
  // must not pull the user away from the tab they are in.
  const selected = useRef(connection);
  selected.current = connection;
  const selectedId = connection?.id;
  useEffect(() => {
    const c = selected.current;
    if (selectedId && c) setState((s) => withTab(s, c, true));
  }, [selectedId]);

  const loadSchema = useCallback(
    (connectionId: string) => {
      setSchemas((s) => ({ ...s, [connectionId]: { status: 'loading' } }));
      void bridge.invoke('sql.schema', { connectionId }).then((r) =>
        setSchemas((s) => ({ ...s, [connectionId]: 'error' in r ? { status: 'error', error: plainError(r.error, 'load the schemas') } : { status: 'ready', schema: r.ok } })),
      );
    },
    [bridge],
  );

  // Introspect each connection once, when its first tab opens; the browser's reload button refreshes.
  useEffect(() => {
    for (const t of state.tabs) {
      if (requested.current.has(t.connectionId)) continue;
      requested.current.add(t.connectionId);
      loadSchema(t.connectionId);
    }
  }, [state.tabs, loadSchema]);

  const closeTab = (id: string): void => {
    void handles.current.get(id)?.close();
    setState((s) => {
      const i = s.tabs.findIndex((t) => t.id === id);
      const tabs = s.tabs.filter((t) => t.id !== id);
      const activeId = s.activeId === id ? (tabs[Math.min(i, tabs.length - 1)]?.id ?? null) : s.activeId;
      return { ...s, tabs, activeId };
    });
  };

  const active = state.tabs.find((t) => t.id === state.activeId) ?? null;
  const activeConnection = connections?.find((c) => c.id === active?.connectionId) ?? null;
  const schemaState = active ? (schemas[active.connectionId] ?? null) : null;

  return (
    <div className="sql-area" data-testid="sql-area" hidden={hidden}>
      <SchemaBrowser
        state={schemaState}
        collapsed={collapsed}
        onToggleCollapsed={() => setCollapsed((c) => !c)}
        onRefresh={() => active && loadSchema(active.connectionId)}
        onPreview={(schema, relation) => active && handles.current.get(active.id)?.preview(schema, relation.name)}
      />
      <div className="sql-main">
        {state.tabs.length > 0 && (
          <EditorTabs
            tabs={state.tabs}
            activeId={state.activeId}
            onSelect={(id) => setState((s) => ({ ...s, activeId: id }))}
            onClose={closeTab}
            onNew={activeConnection ? () => setState((s) => withTab(s, activeConnection, false)) : null}
          />
        )}
        {state.tabs.map((t) => {
          const s = schemas[t.connectionId];
          return (
            <SqlTab
              key={t.id}
              ref={(h) => {
                if (h) handles.current.set(t.id, h);
                else handles.current.delete(t.id);
              }}
              bridge={bridge}
              connectionId={t.connectionId}
              schema={s?.status === 'ready' ? s.schema : null}
              active={!hidden && t.id === state.activeId}
            />
          );
        })}
        {state.tabs.length === 0 && (
          <EmptyArea icon="sql" title={connection ? connection.name : 'SQL editor'}>
            {connection ? (
              <button type="button" className="primary-button" onClick={() => setState((s) => withTab(s, connection, false))} data-testid="sql-open-tab">
                Open an editor on {connection.name}
              </button>
            ) : (
              'Pick a PostgreSQL connection on the left to open a guarded SQL editor: statements are checked before they run, and card numbers, emails and SSNs are masked in results.'
            )}
          </EmptyArea>
        )}
      </div>
    </div>
  );
}
