const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const RUN_KEYS = isMac ? '⌘↵' : 'Ctrl+Enter';

/** Run / Cancel / Export / History. Every button is always rendered (disabled when idle) so nothing shifts. */
export function RunToolbar({
  running,
  hasSelection,
  canExport,
  exporting,
  exportNote,
  historyOpen,
  onRun,
  onCancel,
  onExport,
  onToggleHistory,
}: {
  running: boolean;
  hasSelection: boolean;
  canExport: boolean;
  exporting: boolean;
  exportNote: string | null;
  historyOpen: boolean;
  onRun: () => void;
  onCancel: () => void;
  onExport: () => void;
  onToggleHistory: () => void;
}) {
  return (
    <div className="run-toolbar" role="toolbar" aria-label="Statement">
      <button type="button" className="primary-button run-button" onClick={onRun} disabled={running} data-testid="sql-run" title={`Run (${RUN_KEYS})`}>
        <svg width="12" height="12" viewBox="0 0 24 24" fill="currentColor" aria-hidden>
          <path d="M6 4l14 8-14 8z" />
        </svg>
        {hasSelection ? 'Run selection' : 'Run'}
        <kbd>{RUN_KEYS}</kbd>
      </button>
      <button type="button" className="small-button cancel-button" onClick={onCancel} disabled={!running} data-testid="sql-cancel">
        Cancel
      </button>
      <span className="toolbar-spacer" />
      <span className="export-note" aria-live="polite" data-testid="sql-export-note">
        {exportNote}
      </span>
      <button type="button" className="small-button" onClick={onExport} disabled={!canExport || exporting || running} data-testid="sql-export" title="Run the last statement again and save its masked result as CSV">
        {exporting ? 'Exporting…' : 'Export CSV'}
      </button>
      <button type="button" className="small-button" aria-pressed={historyOpen} onClick={onToggleHistory} data-testid="sql-history-toggle">
        History
      </button>
    </div>
  );
}
