import type { Gateway } from '@gatehouse/gateway-core';
import { startBrowserShell } from '../browser-shell/browser-shell-server.js';
import { findChromium, hasDisplay, openAppWindow, type AppWindow } from './chromium-launcher.js';
import { rendererDistDir } from './paths.js';

export interface BrowserShellHostOptions {
  port?: number;
  /** Open a Chromium --app window when a display and a Chromium exist. */
  open: boolean;
  /** Called with the shell's URL (token included) before any window opens; print it here. */
  onUrl(url: string): void;
}

export interface BrowserShellHost {
  readonly url: string;
  /** Closes the window, then the shell. The gateway is the caller's to close. */
  stop(): Promise<void>;
}

/** A gateway served by the browser shell, optionally in a Chromium app window (demo and start). */
export async function hostInBrowserShell(gateway: Pick<Gateway, 'dispatcher' | 'events'>, options: BrowserShellHostOptions): Promise<BrowserShellHost> {
  const shell = await startBrowserShell({
    dispatcher: gateway.dispatcher,
    events: gateway.events,
    staticDir: rendererDistDir(),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  options.onUrl(shell.url);
  let window: AppWindow | undefined;
  const chromium = findChromium();
  if (options.open && chromium && hasDisplay()) window = openAppWindow(chromium, shell.url);
  return {
    url: shell.url,
    async stop() {
      window?.close();
      await shell.close();
    },
  };
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP. It stays subscribed afterwards: npm and the
 * terminal may both deliver Ctrl-C, and a second one must not kill us halfway through cleanup.
 */
export function waitForStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  });
}
