import { ConfigError, defaultAppDataDir, loadConnectionsFile, startDemoGateway, type ConnectionConfig } from '@gatehouse/gateway-core';
import { hostInBrowserShell, waitForStopSignal } from '../host/browser-shell-host.js';
import { startDemoApprovals } from '../host/demo-approvals.js';
import { findElectronBinary, runElectron } from '../host/electron-launcher.js';
import { appRoot, readPackageVersion } from '../host/paths.js';

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
  const approvals = await startDemoApprovals(dataDir);
  const gateway = startDemoGateway({
    dataDir,
    extraConnections,
    issuer: approvals.issuer,
    policyServer: approvals.policyServer,
    ...(process.env.GATEHOUSE_DEMO_DB_PASSWORD ? { demoDatabasePassword: process.env.GATEHOUSE_DEMO_DB_PASSWORD } : {}),
    reset: opts.resetDemo ?? false,
    shell: 'browser',
    version: readPackageVersion(),
    onProgress: log,
  });
  const host = await hostInBrowserShell(gateway, {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    open: opts.open,
    onUrl: (url) => {
      process.stdout.write(`Gatehouse demo is running at ${url}\n`);
      log(`data in ${dataDir}; log in ${gateway.logFile}; press Ctrl-C to stop`);
      void gateway.ready.then((env) => log(env ? 'demo targets are ready' : `demo targets failed to start; see ${gateway.logFile}`));
    },
  });

  await waitForStopSignal();
  log('stopping');
  await host.stop();
  await gateway.close();
  await approvals.stop();
  return 0;
}
