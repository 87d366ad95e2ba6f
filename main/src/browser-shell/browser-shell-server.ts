import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ClientFrame,
  MAX_CLIENT_FRAME_BYTES,
  type BridgeDispatcher,
  type BridgeEventHub,
  type ServerFrame,
} from '@gatehouse/gateway-core';
import { contentSecurityPolicy } from '../host/content-security-policy.js';
import { createShellDoor, type ShellDoor } from './shell-door.js';
import { readStaticFile } from '../host/static-files.js';

export interface BrowserShellOptions {
  dispatcher: Pick<BridgeDispatcher, 'dispatch'>;
  events: Pick<BridgeEventHub, 'attach'>;
  /** The built renderer (renderer/dist). */
  staticDir: string;
  port?: number;
}

export interface BrowserShell {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const BRIDGE_PATH = '/bridge';

/**
 * The same renderer and host as the Electron app, served on 127.0.0.1 for machines with no
 * Electron binary. Loopback only, a per-launch token exchanged for an HttpOnly cookie, and
 * Host/Origin checks on every request: anything else gets 403.
 */
export async function startBrowserShell(options: BrowserShellOptions): Promise<BrowserShell> {
  // The door needs the bound port, which exists only after listen(); until then, refuse all.
  const state: { door?: ShellDoor } = {};
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    if (!state.door) return deny(res);
    void handleHttp(req, res, state.door, options.staticDir).catch(() => deny(res));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const door = state.door;
    if (!door || url.pathname !== BRIDGE_PATH || !door.isAllowedHost(req) || !door.isAllowedOrigin(req) || !door.hasSessionCookie(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveBridge(ws, options));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const door = createShellDoor(port);
  state.door = door;

  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${door.launchToken}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, door: ShellDoor, staticDir: string): Promise<void> {
  if (!door.isAllowedHost(req)) return deny(res);
  if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const token = url.searchParams.get('token');
  if (token !== null) {
    if (!door.isLaunchToken(token)) return deny(res);
    // Swap the token for a cookie and drop it from the address bar.
    res.writeHead(302, { 'Set-Cookie': door.sessionCookieHeader(), Location: '/', 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  if (!door.hasSessionCookie(req)) return deny(res);
  const file = await readStaticFile(staticDir, url.pathname);
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not found');
    return;
  }
  const host = req.headers.host ?? '';
  res.writeHead(200, {
    'Content-Type': file.contentType,
    'Content-Security-Policy': contentSecurityPolicy(`'self' ws://${host}`),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

function deny(res: ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(403, { 'Content-Type': 'text/plain', Connection: 'close' });
  res.end('Forbidden');
}

function serveBridge(ws: WebSocket, options: BrowserShellOptions): void {
  const send = (frame: ServerFrame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const detach = options.events.attach((event, payload) => send({ type: 'event', event, payload }));
  ws.on('close', detach);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return ws.close(1003, 'binary frames are not accepted');
    let frame: ClientFrame;
    try {
      frame = ClientFrame.parse(JSON.parse(String(data)));
    } catch {
      return ws.close(1007, 'malformed frame');
    }
    void options.dispatcher.dispatch(frame.method, frame.input).then((result) => send({ type: 'result', id: frame.id, result }));
  });
}
