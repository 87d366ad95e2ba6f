import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../main/dist/cli/gatehouse.js', import.meta.url));

export interface DemoProcess {
  child: ChildProcess;
  url: string;
  dataDir: string;
  output(): string;
  /** Resolves when the demo's targets report ready (the URL comes before a first seed ends). */
  targetsReady(timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `gatehouse demo` in the browser shell, as a user would, and waits for its URL line. */
export async function startDemoProcess(
  options: { dataDir?: string; config?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<DemoProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
  const timeoutMs = options.timeoutMs ?? 90_000;
  const args = [CLI, 'demo', '--shell', 'browser', '--no-open', '--data-dir', dataDir, ...(options.config ? ['--config', options.config] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = (): void => {
      const match = /Gatehouse demo is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`gatehouse demo exited (${code}):\n${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    url,
    dataDir,
    output: () => out,
    targetsReady: (timeout = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`demo targets not ready:\n${out}`)), timeout);
        const check = (): void => {
          if (out.includes('demo targets are ready')) {
            clearTimeout(timer);
            resolve();
          } else if (out.includes('demo targets failed')) {
            clearTimeout(timer);
            reject(new Error(`demo targets failed:\n${out}`));
          }
        };
        check();
        child.stderr?.on('data', check);
      }),
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
