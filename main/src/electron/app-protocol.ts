import type { Protocol } from 'electron';
import { contentSecurityPolicy } from '../host/content-security-policy.js';
import { readStaticFile } from '../host/static-files.js';

export const APP_SCHEME = 'app';

/** Privileges for app://, registered before the app is ready (Electron requires that order). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/** Serves the built renderer from app://gatehouse/ instead of file://, with the app's CSP. */
export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, staticDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'gatehouse') return new Response('Forbidden', { status: 403 });
    const file = await readStaticFile(staticDir, url.pathname);
    if (!file) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      headers: {
        'Content-Type': file.contentType,
        'Content-Security-Policy': contentSecurityPolicy("'self'"),
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}
