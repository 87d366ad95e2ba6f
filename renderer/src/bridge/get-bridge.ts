import type { GatehouseBridge } from '@gatehouse/gateway-core/contract';
import { createWebSocketBridge } from './websocket-bridge';

declare global {
  interface Window {
    /** Set by Electron's preload; absent in the browser shell. */
    gatehouse?: GatehouseBridge;
  }
}

/** Electron's preload bridge when present, otherwise the browser shell's socket to the same host. */
export function getBridge(): GatehouseBridge {
  if (window.gatehouse) return window.gatehouse;
  const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createWebSocketBridge(`${protocol}//${window.location.host}/bridge`);
}
