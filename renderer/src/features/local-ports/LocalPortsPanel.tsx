import { useState } from 'react';
import type { LocalPortView } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { useLocalPorts } from './use-local-ports';
import './local-ports.css';

/**
 * Local PostgreSQL ports for psql, DBeaver or a driver: open one for the selected PostgreSQL
 * connection (optionally requiring TLS), see how to connect (with a one-time password that dies
 * with the port, and under TLS the sslmode and the certificate to pin), copy it, close it. What
 * runs through a port is guarded, masked and recorded like the editor.
 */
export function LocalPortsPanel({ selectedConnection }: { selectedConnection: string | null }) {
  const { connections } = useAppState();
  const { ports, error, busy, open, close } = useLocalPorts();
  const [requireTls, setRequireTls] = useState(false);
  const selected = connections?.find((c) => c.id === selectedConnection && c.type === 'postgres' && c.status === 'ready') ?? null;
  const canOpen = selected && !ports.some((p) => p.connectionId === selected.id);

  return (
    <section className="local-ports" aria-label="Local ports" data-testid="local-ports">
      <h2 className="section-title">Local ports</h2>
      {ports.length === 0 && <p className="empty-note">For psql, DBeaver or a driver: select a PostgreSQL connection and open a port.</p>}
      <ul className="local-port-items">
        {ports.map((p) => (
          <LocalPortItem key={p.connectionId} port={p} closing={busy === p.connectionId} onClose={() => void close(p.connectionId)} />
        ))}
      </ul>
      {canOpen && (
        <label className="local-port-tls-toggle" title="Clients must connect with TLS, to a certificate kept in your app-data folder">
          <input type="checkbox" data-testid="local-port-require-tls" checked={requireTls} onChange={(e) => setRequireTls(e.target.checked)} />
          Require TLS
        </label>
      )}
      {canOpen && (
        <button
          type="button"
          className="small-button open-local-port"
          data-testid="open-local-port"
          aria-label={`Open a local port for ${selected.name}`}
          title={`A PostgreSQL port on 127.0.0.1 for ${selected.name}`}
          disabled={busy === selected.id}
          onClick={() => void open(selected.id, requireTls)}
        >
          {busy === selected.id ? 'Opening…' : `Open local port · ${selected.name}`}
        </button>
      )}
      {error && (
        <p className="local-port-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function LocalPortItem({ port, closing, onClose }: { port: LocalPortView; closing: boolean; onClose: () => void }) {
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`${what} copied`);
    } catch {
      setCopied('Copy failed: the clipboard is not available; select the text instead');
    }
  };
  return (
    <li className="local-port-item" data-testid={`local-port-${port.connectionId}`}>
      <div className="local-port-head">
        <strong>{port.connectionName}</strong>
        <span className="local-port-clients" data-testid="local-port-clients">
          {port.clients} client{port.clients === 1 ? '' : 's'}
        </span>
      </div>
      <dl className="local-port-fields">
        <dt>host</dt>
        <dd data-testid="local-port-host">{port.host}</dd>
        <dt>port</dt>
        <dd data-testid="local-port-port">{port.port}</dd>
        <dt>user</dt>
        <dd data-testid="local-port-user">{port.user}</dd>
        <dt>password</dt>
        <dd>
          <span data-testid="local-port-password">{shown ? port.password : '•'.repeat(12)}</span>{' '}
          <button type="button" className="link-button" onClick={() => setShown((s) => !s)} aria-pressed={shown}>
            {shown ? 'Hide' : 'Show'}
          </button>
        </dd>
        <dt>database</dt>
        <dd data-testid="local-port-database">{port.database}</dd>
        <dt>sslmode</dt>
        <dd data-testid="local-port-sslmode">{port.tls ? `${port.sslmode} (TLS required; require also works)` : port.sslmode}</dd>
        {port.tls && (
          <>
            <dt>certificate</dt>
            <dd data-testid="local-port-cert-file">{port.tls.certFile}</dd>
            <dt>SHA-256</dt>
            <dd className="local-port-fingerprint" data-testid="local-port-fingerprint">
              {port.tls.fingerprint256}
            </dd>
          </>
        )}
      </dl>
      <p className="local-port-note">One-time password, valid until the port is closed.</p>
      <div className="local-port-actions">
        <button type="button" className="small-button" data-testid="copy-local-port-url" onClick={() => void copy('Connection URL', port.url)}>
          Copy URL
        </button>
        <button type="button" className="small-button" data-testid="copy-local-port-psql" onClick={() => void copy('psql command', port.psql)}>
          Copy psql
        </button>
        <button type="button" className="small-button danger" data-testid="close-local-port" disabled={closing} onClick={onClose}>
          {closing ? 'Closing…' : 'Close'}
        </button>
      </div>
      {copied && (
        <p className="local-port-copied" role="status">
          {copied}
        </p>
      )}
    </li>
  );
}
