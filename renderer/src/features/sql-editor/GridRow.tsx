import { memo, type MouseEvent } from 'react';
import type { MaskedCell, SqlColumn } from '@gatehouse/gateway-core/contract';

export const ROW_HEIGHT = 26;

/**
 * One grid row. Memoised: while scrolling, rows that stay in view keep their props and skip
 * rendering, so a frame only pays for the rows entering the viewport.
 */
export const GridRow = memo(function GridRow({
  index,
  row,
  columns,
  widths,
  totalWidth,
  selectedCol,
  onSelect,
  onMenu,
}: {
  index: number;
  row: MaskedCell[];
  columns: SqlColumn[];
  widths: number[];
  totalWidth: number;
  /** The selected column when the selection is in this row, else -1 (keeps other rows' props equal). */
  selectedCol: number;
  onSelect: (row: number, col: number) => void;
  onMenu: (e: MouseEvent, row: number, col: number) => void;
}) {
  return (
    <div className="grid-row" role="row" aria-rowindex={index + 2} style={{ top: index * ROW_HEIGHT, width: totalWidth }} data-row={index}>
      <div className="grid-gutter" role="rowheader">
        {index + 1}
      </div>
      {columns.map((col, c) => {
        const cell = row[c];
        const isSel = selectedCol === c;
        const isNull = cell === undefined || cell.v === null;
        return (
          <div
            key={c}
            role="gridcell"
            aria-colindex={c + 2}
            aria-selected={isSel}
            className={`grid-cell${isSel ? ' selected' : ''}${isNull ? ' is-null' : ''}`}
            style={{ width: widths[c] }}
            data-testid="grid-cell"
            data-col={col.name}
            data-masked={cell?.m}
            title={cell?.m ? `Masked: ${cell.m}` : undefined}
            onClick={() => onSelect(index, c)}
            onContextMenu={(e) => onMenu(e, index, c)}
          >
            {isNull ? <span className="cell-null">NULL</span> : <span className="cell-text">{cell.v}</span>}
            {cell?.m && <MaskBadge rule={cell.m} />}
          </div>
        );
      })}
    </div>
  );
});

function MaskBadge({ rule }: { rule: string }) {
  return (
    <span className="mask-badge" aria-label={`masked by ${rule}`}>
      <svg width="11" height="11" viewBox="0 0 24 24" fill="currentColor" aria-hidden>
        <path d="M12 2l8 3.5v6c0 5-3.4 8.8-8 10.5-4.6-1.7-8-5.5-8-10.5v-6z" />
      </svg>
    </span>
  );
}
