/**
 * The browser shell's door: who may load the page and open the bridge socket.
 *
 * A page on any other origin, a DNS-rebinding host name, or another local user who found the
 * port must all be turned away, because behind this door sits a session to production.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'gatehouse_session';

export interface ShellDoor {
  /** The per-launch token that goes in the printed URL. */
  readonly launchToken: string;
  isAllowedHost(req: IncomingMessage): boolean;
  isAllowedOrigin(req: IncomingMessage): boolean;
  isLaunchToken(candidate: string | null): boolean;
  hasSessionCookie(req: IncomingMessage): boolean;
  sessionCookieHeader(): string;
}

export function createShellDoor(port: number): ShellDoor {
  const launchToken = randomBytes(32).toString('base64url');
  // The cookie holds a different secret than the URL, so a URL that leaks into shell history
  // or a screenshot is useless once its one exchange has happened.
  const sessionSecret = randomBytes(32).toString('base64url');
  const expectedHost = `127.0.0.1:${port}`;
  const expectedOrigin = `http://${expectedHost}`;

  return {
    launchToken,
    isAllowedHost: (req) => req.headers.host === expectedHost,
    isAllowedOrigin: (req) => req.headers.origin === expectedOrigin,
    isLaunchToken: (candidate) => candidate !== null && safeEqual(candidate, launchToken),
    hasSessionCookie: (req) => {
      const value = readCookie(req.headers.cookie, SESSION_COOKIE);
      return value !== undefined && safeEqual(value, sessionSecret);
    },
    sessionCookieHeader: () => `${SESSION_COOKIE}=${sessionSecret}; HttpOnly; SameSite=Strict; Path=/`,
  };
}

function safeEqual(a: string, b: string): boolean {
  // Hashing first makes the comparison length-independent, so timing reveals nothing.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
