import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { bridgeMethodNames, type BridgeDispatcher, type BridgeEventHub, type BridgeResult } from '@gatehouse/gateway-core';
import { mainProcessChannel, RENDERER_EVENT_CHANNEL } from './ipc-channels.js';
import { isAppUrl } from './window-security.js';

export interface IpcBridgeDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  dispatcher: Pick<BridgeDispatcher, 'dispatch'>;
}

/** Is this invoke from the app's own top-level frame, loaded from app://gatehouse? */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

/**
 * One `ipcMain.handle` per contract method, all through one wrapper: check the sender, then
 * hand the raw input to the dispatcher, which validates it. Returns a function that removes them.
 */
export function registerIpcBridge(deps: IpcBridgeDeps): () => void {
  for (const method of bridgeMethodNames) {
    deps.ipcMain.handle(mainProcessChannel(method), async (event, input: unknown): Promise<BridgeResult<unknown>> => {
      if (!isTrustedSender(event)) {
        return { error: { code: 'forbidden', message: 'IPC from an untrusted frame was refused' } };
      }
      return deps.dispatcher.dispatch(method, input);
    });
  }
  return () => {
    for (const method of bridgeMethodNames) deps.ipcMain.removeHandler(mainProcessChannel(method));
  };
}

/** Pushes host events to one window, until it is gone. */
export function forwardEventsToWindow(events: Pick<BridgeEventHub, 'attach'>, contents: Pick<WebContents, 'send' | 'isDestroyed'>): () => void {
  return events.attach((event, payload) => {
    if (!contents.isDestroyed()) contents.send(RENDERER_EVENT_CHANNEL, { event, payload });
  });
}
