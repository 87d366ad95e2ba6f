import { TerminalDialog } from './TerminalDialog';

/**
 * A clicked link in terminal output. Links must open only through the host's openExternal
 * allowlist, which the bridge contract does not offer yet, so for now the address is only shown
 * (TODO: an "Open" button calling the host once the contract has it).
 */
export function LinkDialog({ url, onClose }: { url: string; onClose: () => void }) {
  return (
    <TerminalDialog
      title="Link in terminal output"
      testId="terminal-link-dialog"
      onCancel={onClose}
      actions={
        <button type="button" className="terminal-button" data-autofocus onClick={onClose}>
          Close
        </button>
      }
    >
      <p>Opening links from the terminal is not available yet. The address was:</p>
      <code className="terminal-fingerprint">{url}</code>
    </TerminalDialog>
  );
}
