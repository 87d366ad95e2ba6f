import { useState } from 'react';
import type { SqlSchema } from '@gatehouse/gateway-core/contract';

export type SchemaState = { status: 'loading' } | { status: 'ready'; schema: SqlSchema } | { status: 'error'; error: string };
type Relation = SqlSchema['schemas'][number]['relations'][number];

const KIND_LABEL: Record<Relation['kind'], string> = {
  table: 'table',
  view: 'view',
  'materialized-view': 'materialized view',
  'foreign-table': 'foreign table',
  'partitioned-table': 'partitioned table',
};

function estimate(rows: number | null): string | null {
  // PostgreSQL reports -1 for a table never analysed: no estimate is better than a wrong one.
  if (rows === null || rows < 0) return null;
  if (rows < 1000) return `~${rows}`;
  if (rows < 1_000_000) return `~${(rows / 1000).toFixed(rows < 10_000 ? 1 : 0)}k`;
  return `~${(rows / 1_000_000).toFixed(1)}M`;
}

function Chevron({ open }: { open: boolean }) {
  return (
    <svg className={`chevron${open ? ' open' : ''}`} width="10" height="10" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="3" aria-hidden>
      <path d="M9 6l6 6-6 6" />
    </svg>
  );
}

/**
 * Schemas → tables and views → columns. A table's name previews its first rows through the same
 * sql.run path as typed statements, so the guard and masking apply to previews too.
 */
export function SchemaBrowser({
  state,
  collapsed,
  onToggleCollapsed,
  onRefresh,
  onPreview,
}: {
  state: SchemaState | null;
  collapsed: boolean;
  onToggleCollapsed: () => void;
  onRefresh: () => void;
  onPreview: (schema: string, relation: Relation) => void;
}) {
  const [openSchemas, setOpenSchemas] = useState<Set<string>>(() => new Set(['public']));
  const [openRelations, setOpenRelations] = useState<Set<string>>(() => new Set());
  const toggle = (set: Set<string>, key: string): Set<string> => {
    const next = new Set(set);
    if (!next.delete(key)) next.add(key);
    return next;
  };

  return (
    <aside className={`schema-browser${collapsed ? ' collapsed' : ''}`} aria-label="Schema browser" data-testid="schema-browser">
      <div className="schema-head">
        <button type="button" className="icon-button small" onClick={onToggleCollapsed} aria-expanded={!collapsed} aria-label={collapsed ? 'Show the schema browser' : 'Hide the schema browser'} title={collapsed ? 'Show schemas' : 'Hide schemas'}>
          <Chevron open={!collapsed} />
        </button>
        {!collapsed && (
          <>
            <h3 className="section-title">Schemas</h3>
            <button type="button" className="icon-button small" onClick={onRefresh} aria-label="Reload schemas" title="Reload schemas" disabled={!state || state.status === 'loading'}>
              ↻
            </button>
          </>
        )}
      </div>
      {!collapsed && (
        <div className="schema-tree">
          {state === null && <p className="panel-note">Open a PostgreSQL connection to browse its schemas.</p>}
          {state?.status === 'loading' && <p className="panel-note">Loading schemas…</p>}
          {state?.status === 'error' && <p className="panel-note error-text" role="alert">{state.error}</p>}
          {state?.status === 'ready' && state.schema.schemas.length === 0 && <p className="panel-note">No schemas are visible to this role.</p>}
          {state?.status === 'ready' && (
            <ul className="tree-level">
              {state.schema.schemas.map((s) => {
                const open = openSchemas.has(s.name);
                return (
                  <li key={s.name}>
                    <button type="button" className="tree-row schema-row" aria-expanded={open} onClick={() => setOpenSchemas((x) => toggle(x, s.name))} data-testid="schema-schema" data-name={s.name}>
                      <Chevron open={open} />
                      <span className="tree-name">{s.name}</span>
                      <span className="tree-meta">{s.relations.length}</span>
                    </button>
                    {open && (
                      <ul className="tree-level nested">
                        {s.relations.map((r) => {
                          const key = `${s.name}.${r.name}`;
                          const relOpen = openRelations.has(key);
                          return (
                            <li key={key}>
                              <div className="tree-row relation-row">
                                <button type="button" className="tree-toggle" aria-expanded={relOpen} aria-label={`Columns of ${key}`} onClick={() => setOpenRelations((x) => toggle(x, key))}>
                                  <Chevron open={relOpen} />
                                </button>
                                <button
                                  type="button"
                                  className="tree-preview"
                                  onClick={() => onPreview(s.name, r)}
                                  title={`Preview the first 100 rows of ${key} (${KIND_LABEL[r.kind]})`}
                                  data-testid="schema-item"
                                  data-name={key}
                                >
                                  <span className={`kind-dot kind-${r.kind}`} aria-hidden />
                                  <span className="tree-name">{r.name}</span>
                                  {estimate(r.rowEstimate) && <span className="tree-meta">{estimate(r.rowEstimate)}</span>}
                                </button>
                              </div>
                              {relOpen && (
                                <ul className="tree-level nested columns">
                                  {r.columns.map((c) => (
                                    <li key={c.name} className="tree-row column-row" data-testid="schema-column" title={c.nullable ? 'nullable' : 'not null'}>
                                      <span className="tree-name">{c.name}</span>
                                      <span className="tree-meta">
                                        {c.type}
                                        {c.nullable ? '' : ' · not null'}
                                      </span>
                                    </li>
                                  ))}
                                </ul>
                              )}
                            </li>
                          );
                        })}
                      </ul>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </aside>
  );
}
