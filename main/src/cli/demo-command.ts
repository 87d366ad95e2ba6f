import { ConfigError, defaultAppDataDir, loadConnectionsFile, startDemoGateway, type ConnectionConfig } from '@gatehouse/gateway-core';
import { startBrowserShell } from '../browser-shell/browser-shell-server.js';
import { findChromium, hasDisplay, openAppWindow, type AppWindow } from '../host/chromium-launcher.js';
import { findElectronBinary, runElectron } from '../host/electron-launcher.js';
import { appRoot, readPackageVersion, rendererDistDir } from '../host/paths.js';

export interface DemoCommandOptions {
  port?: number;
  dataDir?: string;
  resetDemo?: boolean;
  open: boolean;
  shell: 'auto' | 'electron' | 'browser';
  config?: string;
}

/**
 * `gatehouse demo` / `npm start`: the desktop window where Electron can run, otherwise the
 * browser shell. Resolves with the exit code once everything it started has stopped.
 */
export async function runDemoCommand(opts: DemoCommandOptions): Promise<number> {
  const log = (msg: string): void => void process.stderr.write(`gatehouse: ${msg}\n`);
  const dataDir = opts.dataDir ?? defaultAppDataDir();

  if (opts.shell !== 'browser') {
    const electron = findElectronBinary();
    if (electron) {
      const args = [...(opts.resetDemo ? ['--reset-demo'] : []), ...(opts.config ? ['--config', opts.config] : [])];
      return runElectron(electron, appRoot(), args);
    }
    if (opts.shell === 'electron') {
      log('no Electron binary is available on this machine; run with --shell browser');
      return 1;
    }
    log('no Electron binary here; starting the browser shell instead');
  }

  let extraConnections: ConnectionConfig[] = [];
  if (opts.config) {
    try {
      extraConnections = loadConnectionsFile(opts.config).connections;
    } catch (e) {
      if (e instanceof ConfigError) {
        log(`invalid config: ${e.message}`);
        return 2;
      }
      throw e;
    }
  }
  const gateway = startDemoGateway({
    dataDir,
    extraConnections,
    ...(process.env.GATEHOUSE_DEMO_DB_PASSWORD ? { demoDatabasePassword: process.env.GATEHOUSE_DEMO_DB_PASSWORD } : {}),
    reset: opts.resetDemo ?? false,
    shell: 'browser',
    version: readPackageVersion(),
    onProgress: log,
  });
  const shell = await startBrowserShell({
    dispatcher: gateway.dispatcher,
    events: gateway.events,
    staticDir: rendererDistDir(),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
  });
  process.stdout.write(`Gatehouse demo is running at ${shell.url}\n`);
  log(`data in ${dataDir}; log in ${gateway.logFile}; press Ctrl-C to stop`);

  void gateway.ready.then((env) => log(env ? 'demo targets are ready' : `demo targets failed to start; see ${gateway.logFile}`));

  let window: AppWindow | undefined;
  const chromium = findChromium();
  if (opts.open && chromium && hasDisplay()) window = openAppWindow(chromium, shell.url);

  await new Promise<void>((resolve) => {
    // Stay subscribed after the first signal: npm and the terminal may both deliver Ctrl-C,
    // and a second one must not kill us halfway through cleanup.
    const stop = (): void => resolve();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  });
  log('stopping');
  window?.close();
  await shell.close();
  await gateway.close();
  return 0;
}
