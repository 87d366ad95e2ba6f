import { useCallback, useEffect, useState } from 'react';
import type { LocalPortView } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { call, messageOf } from '../sql-editor/bridge-call';

/** Client counts change without an event; while any port is open the list is re-read this often. */
const REFRESH_MS = 5_000;

export interface LocalPorts {
  ports: LocalPortView[];
  error: string | null;
  busy: string | null;
  /** `tls`: clients must connect with TLS (sslmode=verify-ca with the port's certificate, or require). */
  open(connectionId: string, tls: boolean): Promise<void>;
  close(connectionId: string): Promise<void>;
}

/** The signed-in identity's open local ports, kept live by `localPorts.changed`. */
export function useLocalPorts(): LocalPorts {
  const { bridge, identity } = useAppState();
  const [ports, setPorts] = useState<LocalPortView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const who = identity?.current?.id ?? null;

  const refresh = useCallback(async () => {
    const r = await bridge.invoke('localPorts.list', {});
    if ('ok' in r) setPorts(r.ok.ports);
  }, [bridge]);

  useEffect(() => {
    void refresh();
    return bridge.subscribe('localPorts.changed', (e) => setPorts(e.ports));
  }, [bridge, refresh, who]);

  useEffect(() => {
    if (ports.length === 0) return;
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [ports.length, refresh]);

  const act = useCallback(async (connectionId: string, body: () => Promise<unknown>) => {
    setBusy(connectionId);
    setError(null);
    try {
      await body();
      await refresh();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }, [refresh]);

  return {
    ports,
    error,
    busy,
    open: (connectionId, tls) => act(connectionId, () => call(bridge.invoke('localPorts.open', { connectionId, tls }), 'open a local port')),
    close: (connectionId) => act(connectionId, () => call(bridge.invoke('localPorts.close', { connectionId }), 'close the local port')),
  };
}
