import { TerminalDialog } from './TerminalDialog';

const SHOWN_LINES = 200;

/**
 * Confirms a paste that holds line breaks before any byte of it is sent: each line break is an
 * Enter, so a pasted block runs commands. The guard still judges every line on the host; this
 * is the user's own chance to see what they are about to run.
 */
export function PasteConfirmDialog({ text, onConfirm, onCancel }: { text: string; onConfirm: () => void; onCancel: () => void }) {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  return (
    <TerminalDialog
      title={`Paste ${lines.length} line${lines.length === 1 ? '' : 's'}?`}
      testId="terminal-paste-dialog"
      onCancel={onCancel}
      actions={
        <>
          <button type="button" className="terminal-button" data-autofocus onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="terminal-button primary" data-testid="terminal-paste-confirm" onClick={onConfirm}>
            Paste
          </button>
        </>
      }
    >
      <p>A line break in a paste can run a command, just like Enter. Every line is still checked by the guard before it reaches the server.</p>
      <ol className="terminal-paste-lines" data-testid="terminal-paste-lines">
        {lines.slice(0, SHOWN_LINES).map((line, i) => (
          <li key={i}>
            <code>{line || ' '}</code>
          </li>
        ))}
      </ol>
      {lines.length > SHOWN_LINES && <p className="terminal-dialog-note">…and {lines.length - SHOWN_LINES} more lines.</p>}
    </TerminalDialog>
  );
}
