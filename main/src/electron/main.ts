/**
 * Electron main process: composition only. It starts gateway-core in demo or configured mode,
 * serves the renderer over app://, and attaches the IPC transport.
 */
import { app, BrowserWindow, ipcMain, protocol, safeStorage, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { defaultAppDataDir, loadConnectionsFile, startDemoGateway, type Gateway } from '@gatehouse/gateway-core';
import { createConfiguredGateway } from '../host/configured-gateway.js';
import { startDemoApprovals } from '../host/demo-approvals.js';
import { readPackageVersion, rendererDistDir } from '../host/paths.js';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './app-protocol.js';
import { forwardEventsToWindow, registerIpcBridge } from './ipc-bridge.js';
import { APP_ORIGIN } from './ipc-channels.js';
import { safeStorageCipher } from './safe-storage-cipher.js';
import { hardenWebContents, installPermissionHandlers, isAllowedExternalUrl, mainWindowOptions } from './window-security.js';

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();

const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const openExternal = (url: string): void => {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url);
};

app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));
app.on('window-all-closed', () => app.quit());

async function main(): Promise<void> {
  await app.whenReady();
  installPermissionHandlers(session.defaultSession);
  registerAppProtocol(protocol, rendererDistDir());
  const dataDir = process.env.GATEHOUSE_DATA_DIR ?? defaultAppDataDir();
  const { gateway, stop } = await startGateway(dataDir);
  const removeIpc = registerIpcBridge({ ipcMain, dispatcher: gateway.dispatcher });
  const window = new BrowserWindow(mainWindowOptions(preloadPath));
  const detachEvents = forwardEventsToWindow(gateway.events, window.webContents);
  window.once('ready-to-show', () => window.show());
  app.once('before-quit', () => {
    detachEvents();
    removeIpc();
    void stop();
  });
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}

/**
 * Configured mode when `--configured --config FILE` (from `gatehouse start`): the file's
 * connections, OIDC sign-in in the system browser, its policy server. Otherwise the demo, with
 * the file's connections (if any) beside the demo's.
 */
async function startGateway(dataDir: string): Promise<{ gateway: Gateway; stop: () => Promise<void> }> {
  const cipher = withCipher(safeStorageCipher(safeStorage));
  const configPath = configArg();
  if (process.argv.includes('--configured') && configPath) {
    const file = loadConnectionsFile(configPath);
    if (!file.signIn) throw new Error(`${configPath}: configured mode needs a signIn block`);
    const configured = createConfiguredGateway({ file: { ...file, signIn: file.signIn }, dataDir, shell: 'electron', openExternal: (url) => shell.openExternal(url), ...cipher });
    return { gateway: configured.gateway, stop: configured.close };
  }
  const approvals = await startDemoApprovals(dataDir);
  const gateway = startDemoGateway({
    dataDir,
    issuer: approvals.issuer,
    policyServer: approvals.policyServer,
    reset: process.argv.includes('--reset-demo'),
    extraConnections: configPath ? loadConnectionsFile(configPath).connections : [],
    shell: 'electron',
    openExternal: (url) => shell.openExternal(url),
    ...cipher,
    version: readPackageVersion(),
  });
  return { gateway, stop: () => gateway.close().then(() => approvals.stop()) };
}

function withCipher(cipher: ReturnType<typeof safeStorageCipher>): { secretCipher?: NonNullable<typeof cipher> } {
  return cipher ? { secretCipher: cipher } : {};
}

function configArg(): string | undefined {
  const i = process.argv.indexOf('--config');
  return i >= 0 ? process.argv[i + 1] : undefined;
}

main().catch((err: unknown) => {
  console.error('Gatehouse failed to start:', err instanceof Error ? err.message : err);
  app.exit(1);
});
