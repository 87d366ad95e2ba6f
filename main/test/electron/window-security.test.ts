import type { Session, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy } from '../../src/host/content-security-policy.js';
import { hardenWebContents, installPermissionHandlers, isAllowedExternalUrl, mainWindowOptions } from '../../src/electron/window-security.js';

describe('Electron window security (BRIEF §3.7)', () => {
  it('creates the window sandboxed, isolated and without Node', () => {
    const prefs = mainWindowOptions('/app/preload.cjs').webPreferences ?? {};
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('denies navigation away from app:// and every new window', () => {
    const handlers = new Map<string, (event: { preventDefault: () => void }, url: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    const contents = {
      on: (name: string, fn: (event: { preventDefault: () => void }, url: string) => void) => handlers.set(name, fn),
      setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => (openHandler = fn),
    };
    const openExternal = vi.fn();
    hardenWebContents(contents as unknown as WebContents, openExternal);

    const navigate = (url: string): boolean => {
      const preventDefault = vi.fn();
      handlers.get('will-navigate')?.({ preventDefault }, url);
      return preventDefault.mock.calls.length === 0;
    };
    expect(navigate('app://gatehouse/index.html')).toBe(true);
    expect(navigate('https://evil.example/')).toBe(false);
    expect(navigate('file:///etc/passwd')).toBe(false);

    expect(openHandler?.({ url: 'https://github.com/gatehouse' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://github.com/gatehouse');
    expect(openHandler?.({ url: 'http://github.com/' })).toEqual({ action: 'deny' });
    expect(openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);

    const preventWebview = vi.fn();
    handlers.get('will-attach-webview')?.({ preventDefault: preventWebview }, '');
    expect(preventWebview).toHaveBeenCalled();
  });

  it('allows only https on the allowlist for openExternal', () => {
    expect(isAllowedExternalUrl('https://github.com/x')).toBe(true);
    expect(isAllowedExternalUrl('https://user:pw@github.com/x')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('https://github.com.evil.example/')).toBe(false);
  });

  it('grants clipboard only, and only to the app origin', () => {
    let request: ((c: { getURL(): string }, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: ((c: unknown, p: string, origin: string) => boolean) | undefined;
    installPermissionHandlers({
      setPermissionRequestHandler: (fn: typeof request) => (request = fn),
      setPermissionCheckHandler: (fn: typeof check) => (check = fn),
    } as unknown as Session);
    const ask = (permission: string, url = 'app://gatehouse/index.html'): boolean => {
      let granted = false;
      request?.({ getURL: () => url }, permission, (ok) => (granted = ok));
      return granted;
    };
    expect(ask('clipboard-sanitized-write')).toBe(true);
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'fullscreen', 'hid']) expect(ask(p)).toBe(false);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check?.(null, 'clipboard-read', 'app://gatehouse')).toBe(true);
    expect(check?.(null, 'media', 'app://gatehouse')).toBe(false);
  });

  it('uses a CSP that starts from default-src none and loads nothing remote', () => {
    const csp = contentSecurityPolicy("'self'");
    expect(csp.startsWith("default-src 'none'")).toBe(true);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|https?:|\*/);
  });
});
