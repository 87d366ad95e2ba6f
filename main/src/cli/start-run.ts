// What `gatehouse start` does; start-command.ts registers it (and is what callers import).
import { ConfigError, defaultAppDataDir, loadConnectionsFile, type ConnectionsFile } from '@gatehouse/gateway-core';
import { createConfiguredGateway } from '../host/configured-gateway.js';
import { findElectronBinary, runElectron } from '../host/electron-launcher.js';
import { appRoot } from '../host/paths.js';
import { hostInBrowserShell, waitForStopSignal } from '../host/browser-shell-host.js';
import { configPathFrom } from './cli-connections.js';
import type { StartCommandOptions } from './start-command.js';

export async function runStartCommand(opts: StartCommandOptions): Promise<number> {
  const log = (msg: string): void => void process.stderr.write(`gatehouse: ${msg}\n`);
  const configPath = configPathFrom(opts.config);
  if (!configPath) {
    log('start needs a connections file: pass --config FILE (or set GATEHOUSE_CONFIG); `gatehouse demo` runs without one');
    return 2;
  }
  let file: ConnectionsFile;
  try {
    file = loadConnectionsFile(configPath);
  } catch (e) {
    if (e instanceof ConfigError) {
      log(`invalid config: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const signIn = file.signIn;
  if (!signIn) {
    log(`invalid config: ${configPath}: configured mode needs a signIn block (issuer and clientId of your OIDC provider)`);
    return 2;
  }

  const dataDir = opts.dataDir ?? defaultAppDataDir();
  const electron = opts.open ? findElectronBinary() : undefined;
  if (electron) return runElectron(electron, appRoot(), ['--configured', '--config', configPath]);
  const { gateway, logFile, close } = createConfiguredGateway({ file: { ...file, signIn }, dataDir, shell: 'browser' });

  const host = await hostInBrowserShell(gateway, {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    open: opts.open,
    onUrl: (url) => {
      process.stdout.write(`Gatehouse is running at ${url}\n`);
      log(`sign-in with ${signIn.issuer}; ${file.connections.length} connection(s) from ${configPath}`);
      log(file.policyServer ? `policy server ${file.policyServer.url}` : 'no policy server configured: nothing can be approved, and the bundled policy applies');
      log(`data in ${dataDir}; log in ${logFile}; press Ctrl-C to stop`);
    },
  });

  await waitForStopSignal();
  log('stopping');
  await host.stop();
  await close();
  return 0;
}
