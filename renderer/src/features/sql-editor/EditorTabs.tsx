import type { KeyboardEvent } from 'react';

export interface EditorTabInfo {
  id: string;
  connectionId: string;
  title: string;
}

/** The strip of editor tabs: one per open session, several per connection allowed. */
export function EditorTabs({
  tabs,
  activeId,
  onSelect,
  onClose,
  onNew,
}: {
  tabs: EditorTabInfo[];
  activeId: string | null;
  onSelect: (id: string) => void;
  onClose: (id: string) => void;
  onNew: (() => void) | null;
}) {
  // Arrow keys move between tabs, as in any tablist; Tab itself goes on to the editor.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = tabs.findIndex((t) => t.id === activeId);
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    if (!next) return;
    e.preventDefault();
    onSelect(next.id);
    e.currentTarget.querySelector<HTMLButtonElement>(`[data-tab-id="${next.id}"]`)?.focus();
  };
  return (
    <div className="editor-tabs" role="tablist" aria-label="Editor tabs" onKeyDown={onKeyDown} data-testid="editor-tabs">
      {tabs.map((t) => {
        const active = t.id === activeId;
        return (
          <div key={t.id} className={`editor-tab${active ? ' active' : ''}`} role="presentation" data-testid="editor-tab" data-connection={t.connectionId}>
            <button
              type="button"
              role="tab"
              aria-selected={active}
              tabIndex={active ? 0 : -1}
              data-tab-id={t.id}
              className="editor-tab-label"
              onClick={() => onSelect(t.id)}
              onAuxClick={(e) => e.button === 1 && onClose(t.id)}
            >
              {t.title}
            </button>
            <button type="button" className="editor-tab-close" aria-label={`Close ${t.title}`} title="Close tab" onClick={() => onClose(t.id)} data-testid="editor-tab-close">
              ×
            </button>
          </div>
        );
      })}
      {onNew && (
        <button type="button" className="editor-tab-new" onClick={onNew} aria-label="New tab on this connection" title="New tab on this connection" data-testid="editor-tab-new">
          +
        </button>
      )}
    </div>
  );
}
