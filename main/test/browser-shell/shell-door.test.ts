import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startBrowserShell, type BrowserShell } from '../../src/browser-shell/browser-shell-server.js';
import { createTestGateway } from '../support/test-gateway.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real HTTP request from outside any page, with full control of Host and Cookie. */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(port: number, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge`, { headers });
    ws.on('open', () => (ws.close(), resolve('open')));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

describe('browser shell door', () => {
  let shell: BrowserShell;
  let staticDir: string;
  let host: string;
  let cookie: string;

  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'gatehouse-door-'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Gatehouse</title>');
    const gateway = createTestGateway();
    shell = await startBrowserShell({ dispatcher: gateway.dispatcher, events: gateway.events, staticDir });
    host = `127.0.0.1:${shell.port}`;
    const token = new URL(shell.url).searchParams.get('token') ?? '';
    const exchange = await rawGet(shell.port, `/?token=${token}`, { Host: host });
    expect(exchange.status).toBe(302);
    const setCookie = exchange.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(';')[0] ?? '';
  });
  afterAll(async () => {
    await shell.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('binds loopback only and prints a tokenised 127.0.0.1 URL', () => {
    expect(shell.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('serves the app with the session cookie, under a strict CSP', async () => {
    const res = await rawGet(shell.port, '/', { Host: host, Cookie: cookie });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Gatehouse</title>');
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'none'");
  });

  it('answers 403 without a token or cookie', async () => {
    expect((await rawGet(shell.port, '/', { Host: host })).status).toBe(403);
    expect((await rawGet(shell.port, '/index.html', { Host: host })).status).toBe(403);
  });

  it('answers 403 to a wrong token and sets no cookie', async () => {
    const res = await rawGet(shell.port, '/?token=not-the-token', { Host: host });
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('answers 403 to a forged cookie', async () => {
    expect((await rawGet(shell.port, '/', { Host: host, Cookie: 'gatehouse_session=forged' })).status).toBe(403);
  });

  it('answers 403 to another Host header, even with a valid cookie (DNS rebinding)', async () => {
    for (const other of [`localhost:${shell.port}`, `evil.example:${shell.port}`, '127.0.0.1', `127.0.0.1:${shell.port + 1}`]) {
      expect((await rawGet(shell.port, '/', { Host: other, Cookie: cookie })).status).toBe(403);
    }
  });

  it('opens the bridge socket only for the page’s own origin with the cookie', async () => {
    const own = `http://${host}`;
    expect(await openSocket(shell.port, { Origin: own, Cookie: cookie })).toBe('open');
    expect(await openSocket(shell.port, { Origin: 'http://evil.example', Cookie: cookie })).toBe(403);
    expect(await openSocket(shell.port, { Origin: `http://localhost:${shell.port}`, Cookie: cookie })).toBe(403);
    expect(await openSocket(shell.port, { Origin: own })).toBe(403);
    expect(await openSocket(shell.port, { Cookie: cookie })).toBe(403);
  });

  it('refuses paths that escape the renderer folder', async () => {
    const res = await rawGet(shell.port, '/..%2f..%2fetc%2fpasswd', { Host: host, Cookie: cookie });
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('root:');
  });
});
