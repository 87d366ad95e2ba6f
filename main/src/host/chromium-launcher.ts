import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Flags that keep a closed network quiet and the profile throwaway. */
export const CHROMIUM_FLAGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GATEHOUSE_CHROMIUM && existsSync(env.GATEHOUSE_CHROMIUM)) return env.GATEHOUSE_CHROMIUM;
  return CANDIDATES.find((p) => existsSync(p));
}

export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export interface AppWindow {
  close(): void;
}

/** Opens the browser shell in a chromeless Chromium window with a throwaway profile. */
export function openAppWindow(chromium: string, url: string): AppWindow {
  const profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
  const args = [`--app=${url}`, `--user-data-dir=${profile}`, ...CHROMIUM_FLAGS];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const child: ChildProcess = spawn(chromium, args, { stdio: 'ignore' });
  const cleanup = (): void => rmSync(profile, { recursive: true, force: true });
  child.on('exit', cleanup);
  return {
    close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      cleanup();
    },
  };
}
