import { useEffect, useState } from 'react';
import type { GatehouseBridge, SqlHistoryEntry } from '@gatehouse/gateway-core/contract';
import { plainError } from './bridge-call';

function when(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * The connection's statement history, as gateway-core recorded it: already masked, so a literal
 * card number typed into a WHERE clause comes back masked here too. Clicking reopens it.
 */
export function HistoryPanel({
  bridge,
  connectionId,
  refreshKey,
  onOpen,
}: {
  bridge: GatehouseBridge;
  connectionId: string;
  /** Changes after each run, so a freshly run statement shows up. */
  refreshKey: number;
  onOpen: (text: string) => void;
}) {
  const [entries, setEntries] = useState<SqlHistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void bridge.invoke('sql.history', { connectionId, limit: 100 }).then((r) => {
      if (!live) return;
      if ('error' in r) setError(plainError(r.error, 'load the history'));
      else {
        setError(null);
        setEntries(r.ok);
      }
    });
    return () => {
      live = false;
    };
  }, [bridge, connectionId, refreshKey]);

  return (
    <aside className="history-panel" aria-label="Query history" data-testid="sql-history">
      <h3 className="section-title">History</h3>
      {error && <p className="panel-note error-text">{error}</p>}
      {entries === null && !error && <p className="panel-note">Loading…</p>}
      {entries?.length === 0 && <p className="panel-note">Statements you run appear here.</p>}
      <ul className="history-items">
        {entries?.map((e) => (
          <li key={e.id}>
            <button type="button" className="history-item" data-testid="history-item" data-outcome={e.outcome} onClick={() => onOpen(e.text)} title="Open in the editor">
              <code className="history-text">{e.text}</code>
              <span className="history-meta">
                <span className={`outcome outcome-${e.outcome}`}>{e.outcome}</span>
                {e.rowCount !== null && <span>{e.rowCount.toLocaleString('en-US')} rows</span>}
                <span>{when(e.at)}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
