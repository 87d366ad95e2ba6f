import { TerminalDialog } from './TerminalDialog';

/**
 * Trust on first use: the host has never seen this server's key. Accepting pins the fingerprint
 * for the connection on the host; a later, different key is refused there, not asked again here.
 */
export function HostKeyDialog({
  connectionName,
  fingerprint,
  onAccept,
  onCancel,
}: {
  connectionName: string;
  fingerprint: string;
  onAccept: () => void;
  onCancel: () => void;
}) {
  return (
    <TerminalDialog
      title="Unknown host key"
      testId="terminal-hostkey-dialog"
      onCancel={onCancel}
      actions={
        <>
          <button type="button" className="terminal-button" data-autofocus onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="terminal-button primary" data-testid="terminal-hostkey-accept" onClick={onAccept}>
            Trust and connect
          </button>
        </>
      }
    >
      <p>
        Gatehouse has not connected to <strong>{connectionName}</strong> before. Check that this fingerprint matches the one your
        administrator published for the server before trusting it.
      </p>
      <code className="terminal-fingerprint" data-testid="terminal-hostkey-fingerprint">
        {fingerprint}
      </code>
    </TerminalDialog>
  );
}
