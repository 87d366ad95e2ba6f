import { useState } from 'react';
import { useAppState } from '../../app/AppContext';
import { TerminalDialog } from './TerminalDialog';

/**
 * A clicked link in terminal output is text a remote host chose, so it opens only after the
 * user confirms and the host's allowlist (`app.openExternal`) approves it.
 */
export function LinkDialog({ url, onClose }: { url: string; onClose: () => void }) {
  const { bridge } = useAppState();
  const [error, setError] = useState<string | null>(null);
  const open = async (): Promise<void> => {
    const result = await bridge.invoke('app.openExternal', { url });
    if ('error' in result) return setError(result.error.message);
    // The browser shell's host approves the link but has no OS opener: the page opens it.
    if (!result.ok.opened) window.open(url, '_blank', 'noopener,noreferrer');
    onClose();
  };
  return (
    <TerminalDialog
      title="Open link from terminal output?"
      testId="terminal-link-dialog"
      onCancel={onClose}
      actions={
        <>
          <button type="button" className="terminal-button" data-autofocus onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="terminal-button primary" data-testid="terminal-link-open" onClick={() => void open()}>
            Open
          </button>
        </>
      }
    >
      <p>This address came from the server’s output. Open it only if you trust it.</p>
      <code className="terminal-fingerprint">{url}</code>
      {error && (
        <p className="status-error" role="alert" data-testid="terminal-link-error">
          {error}
        </p>
      )}
    </TerminalDialog>
  );
}
