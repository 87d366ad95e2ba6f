import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { AppInfo, ConnectionSummary, GatehouseBridge, IdentityState } from '@gatehouse/gateway-core/contract';

export interface AppState {
  bridge: GatehouseBridge;
  info: AppInfo | null;
  connections: ConnectionSummary[] | null;
  identity: IdentityState | null;
  /** The last bridge failure, shown in the status bar until the next success. */
  error: string | null;
}

const AppContext = createContext<AppState | null>(null);

/** The one place the UI learns host state: built from the bridge, kept live by its events. */
export function AppContextProvider({ bridge, children }: { bridge: GatehouseBridge; children: ReactNode }) {
  const [state, setState] = useState<AppState>({ bridge, info: null, connections: null, identity: null, error: null });

  useEffect(() => {
    let live = true;
    const update = (patch: Partial<AppState>): void => {
      if (live) setState((s) => ({ ...s, ...patch }));
    };
    const unsubscribers = [
      bridge.subscribe('connections.changed', (connections) => update({ connections })),
      bridge.subscribe('identity.changed', (identity) => update({ identity })),
    ];
    void (async () => {
      const [info, connections, identity] = await Promise.all([
        bridge.invoke('app.info', {}),
        bridge.invoke('connections.list', {}),
        bridge.invoke('identity.get', {}),
      ]);
      const failure = [info, connections, identity].find((r) => 'error' in r);
      update({
        info: 'ok' in info ? info.ok : null,
        connections: 'ok' in connections ? connections.ok : [],
        identity: 'ok' in identity ? identity.ok : null,
        error: failure && 'error' in failure ? failure.error.message : null,
      });
    })();
    return () => {
      live = false;
      for (const u of unsubscribers) u();
    };
  }, [bridge]);

  return <AppContext.Provider value={state}>{children}</AppContext.Provider>;
}

export function useAppState(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useAppState outside AppContextProvider');
  return state;
}
