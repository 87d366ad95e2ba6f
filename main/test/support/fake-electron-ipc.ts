import type { IpcMainInvokeEvent } from 'electron';

type Handler = (event: Pick<IpcMainInvokeEvent, 'senderFrame'>, ...args: unknown[]) => unknown;
type Listener = (event: unknown, ...args: unknown[]) => void;

/**
 * ipcMain, ipcRenderer and webContents wired together in one Node process (no Electron binary
 * exists here). Payloads go through structuredClone, as Electron's IPC serialises them.
 */
export class FakeElectronIpc {
  private readonly handlers = new Map<string, Handler>();
  private readonly rendererListeners = new Map<string, Set<Listener>>();
  senderFrame: { url: string; parent: null | object } = { url: 'app://gatehouse/index.html', parent: null };

  readonly ipcMain = {
    handle: (channel: string, handler: Handler): void => {
      if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      this.handlers.set(channel, handler);
    },
    removeHandler: (channel: string): void => void this.handlers.delete(channel),
  };

  readonly ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]): Promise<unknown> => {
      const handler = this.handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      const event = { senderFrame: this.senderFrame } as unknown as Pick<IpcMainInvokeEvent, 'senderFrame'>;
      return structuredClone(await handler(event, ...structuredClone(args)));
    },
    on: (channel: string, listener: Listener) => {
      const set = this.rendererListeners.get(channel) ?? new Set();
      set.add(listener);
      this.rendererListeners.set(channel, set);
      return this.ipcRenderer;
    },
    removeListener: (channel: string, listener: Listener) => {
      this.rendererListeners.get(channel)?.delete(listener);
      return this.ipcRenderer;
    },
  };

  readonly webContents = {
    send: (channel: string, ...args: unknown[]): void => {
      for (const l of this.rendererListeners.get(channel) ?? []) l({}, ...structuredClone(args));
    },
    isDestroyed: (): boolean => false,
  };

  get channels(): string[] {
    return [...this.handlers.keys()];
  }
}
