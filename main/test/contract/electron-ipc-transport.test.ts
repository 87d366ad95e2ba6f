import type { IpcRenderer, IpcMain, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { bridgeMethodNames } from '@gatehouse/gateway-core';
import { forwardEventsToWindow, registerIpcBridge } from '../../src/electron/ipc-bridge.js';
import { createPreloadBridge } from '../../src/electron/preload-bridge.js';
import { FakeElectronIpc } from '../support/fake-electron-ipc.js';
import { createTestGateway } from '../support/test-gateway.js';
import { runBridgeContractSuite } from './bridge-contract-suite.js';

function wire(ipc: FakeElectronIpc, gateway: ReturnType<typeof createTestGateway>) {
  const removeIpc = registerIpcBridge({ ipcMain: ipc.ipcMain as unknown as IpcMain, dispatcher: gateway.dispatcher });
  const detach = forwardEventsToWindow(gateway.events, ipc.webContents as unknown as WebContents);
  const bridge = createPreloadBridge(ipc.ipcRenderer as unknown as IpcRenderer);
  return { bridge, close: async () => (detach(), removeIpc()) };
}

runBridgeContractSuite('Electron IPC (fake ipcMain)', async (gateway) => wire(new FakeElectronIpc(), gateway));

describe('Electron IPC transport', () => {
  it('registers exactly one main-process channel per contract method', () => {
    const ipc = new FakeElectronIpc();
    wire(ipc, createTestGateway());
    expect(ipc.channels.sort()).toEqual(bridgeMethodNames.map((m) => `main-process:${m}`).sort());
  });

  it('refuses invokes from a frame that is not the app', async () => {
    const ipc = new FakeElectronIpc();
    const { bridge } = wire(ipc, createTestGateway());
    ipc.senderFrame = { url: 'https://evil.example/', parent: null };
    expect(await bridge.invoke('connections.list', {})).toMatchObject({ error: { code: 'forbidden' } });
    ipc.senderFrame = { url: 'app://gatehouse/index.html', parent: {} };
    expect(await bridge.invoke('connections.list', {})).toMatchObject({ error: { code: 'forbidden' } });
    ipc.senderFrame = { url: 'app://gatehouse/index.html', parent: null };
    expect(await bridge.invoke('connections.list', {})).toHaveProperty('ok');
  });

  it('exposes only invoke and subscribe to the page', () => {
    const bridge = createPreloadBridge(new FakeElectronIpc().ipcRenderer as unknown as IpcRenderer);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
    expect(() => bridge.subscribe('ipc.raw' as 'identity.changed', () => undefined)).toThrow(/Unknown event/);
  });
});
