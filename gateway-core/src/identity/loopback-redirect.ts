/**
 * The loopback redirect of RFC 8252 §7.3 for one sign-in: an HTTP server on 127.0.0.1 at a free
 * port, answering only `GET /callback`. A callback whose `state` is not this sign-in's is refused
 * and does not use the listener up (a local process poking the port cannot cancel the sign-in);
 * the first callback with the right state is the one use, after which the server closes. It also
 * closes when the sign-in times out or is cancelled.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const CALLBACK_PATH = '/callback';

export interface LoopbackRedirectOptions {
  /** The `state` sent with the authorization request; only a callback carrying it is handled. */
  expectedState: string;
  /** Completes the sign-in from the callback URL; a thrown error's message is shown in the browser. */
  onCallback(url: URL): Promise<void>;
  /** Called once if no callback came in time (the server is already closed). */
  onTimeout(): void;
  timeoutMs: number;
}

export interface LoopbackRedirect {
  /** http://127.0.0.1:<port>/callback */
  readonly redirectUri: string;
  /** Stops listening at once (cancel); a callback already being handled still gets its page. */
  close(): void;
}

export async function startLoopbackRedirect(options: LoopbackRedirectOptions): Promise<LoopbackRedirect> {
  let used = false;
  let closed = false;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const busy = new Set<Socket>();
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    server.close();
    // Browsers keep connections alive; idle ones would hold the port open.
    for (const socket of sockets) if (!busy.has(socket)) socket.destroy();
  };

  const timer = setTimeout(() => {
    if (used || closed) return;
    close();
    options.onTimeout();
  }, options.timeoutMs);
  timer.unref();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      return page(res, 404, 'Not found', 'This address only receives the sign-in response for Gatehouse.');
    }
    if (used || closed) {
      return page(res, 410, 'Sign-in already finished', 'This sign-in link was already used or has expired. Start again from Gatehouse.');
    }
    if (!sameSecret(url.searchParams.get('state'), options.expectedState)) {
      return page(res, 400, 'Sign-in refused', 'This response does not belong to the sign-in Gatehouse started (the state does not match). Start again from Gatehouse.');
    }
    used = true;
    clearTimeout(timer);
    server.close(); // no new connections; this one is answered below
    busy.add(req.socket);
    try {
      await options.onCallback(url);
      page(res, 200, 'Signed in', 'Signed in — you can close this tab and return to Gatehouse.');
    } catch (err) {
      page(res, 400, 'Sign-in failed', err instanceof Error ? err.message : 'The sign-in could not be completed.');
    } finally {
      // The page says `Connection: close`, and the server stopped accepting, so it goes away
      // once this answer is flushed (Node's close() also drops idle keep-alive connections).
      busy.delete(req.socket);
      closed = true;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`, close };
}

/** Constant-time comparison, whatever the lengths. */
function sameSecret(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Gatehouse</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:15vh auto;max-width:32rem;padding:0 1rem;color:#1f2328}h1{font-size:1.4rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>
`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
