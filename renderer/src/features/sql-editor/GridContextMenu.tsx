import { useEffect, useRef } from 'react';

export interface MenuState {
  cell: { row: number; col: number };
  /** Viewport coordinates: the menu is position: fixed so grid scrolling cannot clip it. */
  x: number;
  y: number;
}

/** The grid's right-click menu: copy cell or row. Closes on Escape, outside click or blur. */
export function GridContextMenu({
  menu,
  onClose,
  onCopyCell,
  onCopyRow,
}: {
  menu: MenuState;
  onClose: () => void;
  onCopyCell: (cell: MenuState['cell']) => void;
  onCopyRow: (cell: MenuState['cell']) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    el.current?.querySelector('button')?.focus();
    const outside = (e: PointerEvent): void => {
      if (!el.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('pointerdown', outside);
    return () => window.removeEventListener('pointerdown', outside);
  }, [onClose]);

  const act = (fn: (cell: MenuState['cell']) => void) => () => {
    fn(menu.cell);
    onClose();
  };
  return (
    <div
      ref={el}
      className="grid-menu"
      role="menu"
      style={{ left: Math.min(menu.x, window.innerWidth - 180), top: Math.min(menu.y, window.innerHeight - 90) }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          const items = [...(el.current?.querySelectorAll('button') ?? [])];
          const i = items.indexOf(document.activeElement as HTMLButtonElement);
          items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
        }
      }}
      onBlur={(e) => {
        if (!el.current?.contains(e.relatedTarget as Node | null)) onClose();
      }}
    >
      <button type="button" role="menuitem" onClick={act(onCopyCell)} data-testid="menu-copy-cell">
        Copy cell
      </button>
      <button type="button" role="menuitem" onClick={act(onCopyRow)} data-testid="menu-copy-row">
        Copy row
      </button>
    </div>
  );
}
