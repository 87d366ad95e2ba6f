import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Finds a runnable Electron binary, or undefined. The electron package downloads its binary on
 * first use; where the network refuses (as on our CI machines) that fails fast, and the caller
 * falls back to the browser shell. The probe runs in a child so its download noise stays quiet.
 */
export function findElectronBinary(timeoutMs = 60_000): string | undefined {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('electron');
  } catch {
    return undefined;
  }
  const probe = spawnSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(entry)}))`], {
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const path = probe.status === 0 ? probe.stdout.trim().split('\n').pop() : undefined;
  return path && existsSync(path) ? path : undefined;
}

/** Runs the desktop app and resolves with its exit code; Ctrl-C reaches Electron through the process group. */
export function runElectron(binary: string, appDir: string, args: readonly string[]): Promise<number> {
  const child = spawn(binary, [appDir, ...args], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}
