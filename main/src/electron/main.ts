/**
 * Electron main process: composition only. It starts gateway-core in demo or configured mode,
 * serves the renderer over app://, and attaches the IPC transport.
 */
import { app, BrowserWindow, ipcMain, protocol, safeStorage, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { defaultAppDataDir, loadConnectionsFile, startDemoGateway } from '@gatehouse/gateway-core';
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
  const approvals = await startDemoApprovals(dataDir);
  const gateway = startDemoGateway({
    dataDir,
    issuer: approvals.issuer,
    policyServer: approvals.policyServer,
    reset: process.argv.includes('--reset-demo'),
    extraConnections: configArg() ? loadConnectionsFile(configArg() ?? '').connections : [],
    shell: 'electron',
    openExternal: (url) => shell.openExternal(url),
    ...withCipher(safeStorageCipher(safeStorage)),
    version: readPackageVersion(),
  });
  const removeIpc = registerIpcBridge({ ipcMain, dispatcher: gateway.dispatcher });
  const window = new BrowserWindow(mainWindowOptions(preloadPath));
  const detachEvents = forwardEventsToWindow(gateway.events, window.webContents);
  window.once('ready-to-show', () => window.show());
  app.once('before-quit', () => {
    detachEvents();
    removeIpc();
    void gateway.close().then(() => approvals.stop());
  });
  await window.loadURL(`${APP_ORIGIN}/index.html`);
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
