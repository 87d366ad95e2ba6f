import type {
  BridgeEventName,
  BridgeResult,
  GatehouseBridge,
  ServerFrame,
} from '@gatehouse/gateway-core/contract';

/**
 * The browser shell's implementation of the bridge contract: the same `invoke`/`subscribe`
 * as Electron's preload, carried over one WebSocket to the host. Calls made while the socket
 * is (re)connecting wait for it; a lost socket fails pending calls with 'unavailable'.
 */
export function createWebSocketBridge(url: string, WebSocketImpl: typeof WebSocket = WebSocket): GatehouseBridge {
  let nextId = 1;
  const pending = new Map<number, (result: BridgeResult<unknown>) => void>();
  const listeners = new Map<BridgeEventName, Set<(payload: unknown) => void>>();
  let socket: Promise<WebSocket> | undefined;

  const connect = (): Promise<WebSocket> => {
    socket ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('bridge socket failed'));
      ws.onclose = () => {
        socket = undefined;
        for (const [id, settle] of pending) {
          pending.delete(id);
          settle({ error: { code: 'unavailable', message: 'Lost the connection to the Gatehouse host' } });
        }
      };
      ws.onmessage = (message: MessageEvent) => {
        const frame = JSON.parse(String(message.data)) as ServerFrame;
        if (frame.type === 'result') {
          pending.get(frame.id)?.(frame.result as BridgeResult<unknown>);
          pending.delete(frame.id);
        } else {
          for (const l of listeners.get(frame.event as BridgeEventName) ?? []) l(frame.payload);
        }
      };
    });
    return socket;
  };

  return {
    async invoke(method, input) {
      let ws: WebSocket;
      try {
        ws = await connect();
      } catch {
        return { error: { code: 'unavailable', message: 'Cannot reach the Gatehouse host' } };
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: BridgeResult<unknown>) => void);
        ws.send(JSON.stringify({ type: 'call', id, method, input }));
      });
    },
    subscribe(event, listener) {
      void connect().catch(() => undefined);
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
}
