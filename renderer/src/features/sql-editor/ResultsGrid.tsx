import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { MaskedCell, SqlColumn } from '@gatehouse/gateway-core/contract';
import { GridContextMenu, type MenuState } from './GridContextMenu';
import { GridRow, ROW_HEIGHT } from './GridRow';

// Fixed geometry is what makes virtualisation trivial: row i sits at i * ROW_HEIGHT (GridRow.tsx).
const HEADER_HEIGHT = 42;
const GUTTER_WIDTH = 56;
const OVERSCAN = 12;
/** Ask for the next page this many rows before the end, so scrolling rarely waits. */
const PREFETCH_ROWS = 200;
const CHAR_PX = 7.4;

interface Cell {
  row: number;
  col: number;
}

/** Widths from the header and a sample of rows: measuring 100k rows would cost the first paint. */
function columnWidths(columns: SqlColumn[], rows: MaskedCell[][]): number[] {
  const sample = rows.slice(0, 200);
  return columns.map((c, i) => {
    let chars = Math.max(c.name.length, c.type.length + 1);
    for (const r of sample) chars = Math.max(chars, (r[i]?.v ?? 'NULL').length + (r[i]?.m ? 3 : 0));
    return Math.round(Math.min(360, Math.max(72, chars * CHAR_PX + 22)));
  });
}

const cellText = (c: MaskedCell | undefined): string => c?.v ?? '';
export const rowText = (row: MaskedCell[]): string => row.map(cellText).join('\t');

export function ResultsGrid({
  columns,
  rows,
  hasMore,
  onNearEnd,
}: {
  columns: SqlColumn[];
  rows: MaskedCell[][];
  hasMore: boolean;
  onNearEnd: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(400);
  const [selected, setSelected] = useState<Cell | null>(null);
  const [menu, setMenu] = useState<MenuState | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  // Sampled once per result (the key flips only from empty to non-empty), not on every appended
  // page, so columns don't jump while the user scrolls.
  const widthsKey = rows.length > 0;
  const widths = useMemo(() => columnWidths(columns, rows), [columns, widthsKey]);
  const offsets = useMemo(() => widths.reduce<number[]>((acc, w, i) => [...acc, (acc[i] ?? 0) + w], [0]), [widths]);
  const totalWidth = GUTTER_WIDTH + (offsets[offsets.length - 1] ?? 0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewportHeight(el.clientHeight));
    ro.observe(el);
    setViewportHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // A new result starts at the top with nothing selected.
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0, left: 0 });
    setScrollTop(0);
    setSelected(null);
  }, [columns]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewportHeight) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (hasMore && last >= rows.length - PREFETCH_ROWS) onNearEnd();
  }, [hasMore, last, rows.length, onNearEnd]);

  const closeMenu = useCallback(() => {
    setMenu(null);
    scroller.current?.focus();
  }, []);

  const copy = async (text: string, what: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`Copied ${what}`);
    } catch {
      setCopied('Copy failed: the clipboard is not available');
    }
    setTimeout(() => setCopied(null), 1800);
  };
  const copyCell = (c: Cell): void => void copy(cellText(rows[c.row]?.[c.col]), 'cell');
  const copyRow = (c: Cell): void => void copy(rowText(rows[c.row] ?? []), `row ${c.row + 1}`);

  const reveal = (c: Cell): void => {
    const el = scroller.current;
    if (!el) return;
    const top = c.row * ROW_HEIGHT;
    const bodyHeight = el.clientHeight - HEADER_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + bodyHeight) el.scrollTop = top + ROW_HEIGHT - bodyHeight;
    const left = offsets[c.col] ?? 0;
    const right = left + (widths[c.col] ?? 0);
    const visible = el.clientWidth - GUTTER_WIDTH;
    if (left < el.scrollLeft) el.scrollLeft = left;
    else if (right > el.scrollLeft + visible) el.scrollLeft = right - visible;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (rows.length === 0 || columns.length === 0) return;
    const cur = selected ?? { row: 0, col: 0 };
    const pageRows = Math.max(1, Math.floor((viewportHeight - HEADER_HEIGHT) / ROW_HEIGHT));
    const moves: Record<string, Cell> = {
      ArrowDown: { row: cur.row + 1, col: cur.col },
      ArrowUp: { row: cur.row - 1, col: cur.col },
      ArrowRight: { row: cur.row, col: cur.col + 1 },
      ArrowLeft: { row: cur.row, col: cur.col - 1 },
      PageDown: { row: cur.row + pageRows, col: cur.col },
      PageUp: { row: cur.row - pageRows, col: cur.col },
      Home: { row: e.ctrlKey ? 0 : cur.row, col: 0 },
      End: { row: e.ctrlKey ? rows.length - 1 : cur.row, col: columns.length - 1 },
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      const next = { row: Math.min(rows.length - 1, Math.max(0, move.row)), col: Math.min(columns.length - 1, Math.max(0, move.col)) };
      setSelected(next);
      reveal(next);
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && selected) {
      e.preventDefault();
      if (e.shiftKey) copyRow(selected);
      else copyCell(selected);
    } else if ((e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) && selected) {
      e.preventDefault();
      const rect = e.currentTarget.getBoundingClientRect();
      setMenu({ cell: selected, x: rect.left + GUTTER_WIDTH + (offsets[selected.col] ?? 0) - e.currentTarget.scrollLeft + 12, y: rect.top + HEADER_HEIGHT + (selected.row + 1) * ROW_HEIGHT - e.currentTarget.scrollTop });
    }
  };

  // Stable identities, so memoised rows don't re-render when the grid does.
  const selectCell = useCallback((row: number, col: number) => setSelected({ row, col }), []);
  const openMenu = useCallback((e: MouseEvent, row: number, col: number) => {
    e.preventDefault();
    setSelected({ row, col });
    setMenu({ cell: { row, col }, x: e.clientX, y: e.clientY });
  }, []);

  const visible = [];
  for (let r = first; r < last; r++) {
    const row = rows[r];
    if (!row) continue;
    visible.push(
      <GridRow
        key={r}
        index={r}
        row={row}
        columns={columns}
        widths={widths}
        totalWidth={totalWidth}
        selectedCol={selected?.row === r ? selected.col : -1}
        onSelect={selectCell}
        onMenu={openMenu}
      />,
    );
  }

  return (
    <div className="results-grid-wrap">
      <div className="grid-actions">
        <button type="button" className="small-button" disabled={!selected} onClick={() => selected && copyCell(selected)} title="Copy the selected cell (Ctrl+C)">
          Copy cell
        </button>
        <button type="button" className="small-button" disabled={!selected} onClick={() => selected && copyRow(selected)} title="Copy the selected row, tab-separated (Ctrl+Shift+C)">
          Copy row
        </button>
        <span className="grid-copied" aria-live="polite">
          {copied}
        </span>
      </div>
      <div
        ref={scroller}
        className="results-grid"
        role="grid"
        tabIndex={0}
        aria-label="Query results"
        aria-rowcount={rows.length + 1}
        aria-colcount={columns.length + 1}
        data-testid="results-grid"
        data-row-count={rows.length}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      >
        <div className="grid-header" role="row" aria-rowindex={1} style={{ width: totalWidth, height: HEADER_HEIGHT }}>
          <div className="grid-gutter" role="columnheader" aria-label="Row number">
            #
          </div>
          {columns.map((c, i) => (
            <div key={i} className="grid-head-cell" role="columnheader" style={{ width: widths[i] }} title={`${c.name} (${c.type})`} data-testid="grid-column">
              <span className="col-name">{c.name}</span>
              <span className="col-type">{c.type}</span>
            </div>
          ))}
        </div>
        <div className="grid-body" style={{ height: rows.length * ROW_HEIGHT, width: totalWidth }}>
          {visible}
        </div>
      </div>
      {menu && <GridContextMenu menu={menu} onClose={closeMenu} onCopyCell={copyCell} onCopyRow={copyRow} />}
    </div>
  );
}
