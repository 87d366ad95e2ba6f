import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { createWebSocketBridge } from '../../../renderer/src/bridge/websocket-bridge.js';
import { startBrowserShell } from '../../src/browser-shell/browser-shell-server.js';
import { runBridgeContractSuite } from './bridge-contract-suite.js';

let staticDir: string;
beforeAll(() => {
  staticDir = mkdtempSync(join(tmpdir(), 'gatehouse-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
});
afterAll(() => rmSync(staticDir, { recursive: true, force: true }));

/** Exchanges the launch token for the session cookie, as the browser does on first load. */
export async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  const cookie = res.headers.get('set-cookie');
  if (res.status !== 302 || !cookie) throw new Error(`token exchange failed: ${res.status}`);
  return cookie.split(';')[0] ?? '';
}

runBridgeContractSuite('browser-shell WebSocket', async (gateway) => {
  const shell = await startBrowserShell({ dispatcher: gateway.dispatcher, events: gateway.events, staticDir });
  const cookie = await sessionCookie(shell.url);
  const origin = `http://127.0.0.1:${shell.port}`;
  // The page's own socket, as Chromium would open it: same origin, with the cookie.
  class PageSocket extends NodeWebSocket {
    constructor(url: string) {
      super(url, { headers: { Origin: origin, Cookie: cookie } });
    }
  }
  const bridge = createWebSocketBridge(`ws://127.0.0.1:${shell.port}/bridge`, PageSocket as unknown as typeof WebSocket);
  return { bridge, close: () => shell.close() };
});
