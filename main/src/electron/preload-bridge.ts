import type { IpcRenderer, IpcRendererEvent } from 'electron';
import {
  isBridgeEventName,
  isBridgeMethodName,
  type BridgeEventName,
  type BridgeResult,
  type GatehouseBridge,
} from '@gatehouse/gateway-core/contract';
import { mainProcessChannel, RENDERER_EVENT_CHANNEL } from './ipc-channels.js';

/**
 * The `window.gatehouse` object in Electron. It exposes only the contract's methods and
 * events, never ipcRenderer itself or a generic channel API.
 */
export function createPreloadBridge(ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): GatehouseBridge {
  const listeners = new Map<BridgeEventName, Set<(payload: unknown) => void>>();
  const onEvent = (_event: IpcRendererEvent, message: unknown): void => {
    if (typeof message !== 'object' || message === null) return;
    const { event, payload } = message as { event?: unknown; payload?: unknown };
    if (!isBridgeEventName(event)) return;
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  ipcRenderer.on(RENDERER_EVENT_CHANNEL, onEvent);

  const bridge: GatehouseBridge = {
    invoke: async (method, input) => {
      if (!isBridgeMethodName(method)) {
        return { error: { code: 'unknown_method', message: `Unknown method: ${String(method)}` } };
      }
      return (await ipcRenderer.invoke(mainProcessChannel(method), input)) as BridgeResult<never>;
    },
    subscribe: (event, listener) => {
      if (!isBridgeEventName(event)) throw new Error(`Unknown event: ${String(event)}`);
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
  return bridge;
}
