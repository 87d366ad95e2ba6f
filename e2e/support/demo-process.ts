import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../main/dist/cli/gatehouse.js', import.meta.url));

/** A `gatehouse` process serving the browser shell. */
export interface GatehouseProcess {
  child: ChildProcess;
  url: string;
  dataDir: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface DemoProcess extends GatehouseProcess {
  /** Resolves when the demo's targets report ready (the URL comes before a first seed ends). */
  targetsReady(timeoutMs?: number): Promise<void>;
}

/** Starts `gatehouse demo` in the browser shell, as a user would, and waits for its URL line. */
export async function startDemoProcess(
  options: { dataDir?: string; config?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<DemoProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
  const proc = await startGatehouseProcess({
    args: ['demo', '--shell', 'browser', '--no-open', '--data-dir', dataDir, ...(options.config ? ['--config', options.config] : [])],
    urlLine: /Gatehouse demo is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/,
    dataDir,
    ...(options.env ? { env: options.env } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const { child } = proc;
  return {
    ...proc,
    targetsReady: (timeout = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`demo targets not ready:\n${proc.output()}`)), timeout);
        const check = (): void => {
          const out = proc.output();
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
  };
}

/** Starts `gatehouse start --config FILE` (configured mode, OIDC sign-in) and waits for its URL line. */
export async function startConfiguredProcess(options: { config: string; dataDir?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<GatehouseProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
  return startGatehouseProcess({
    args: ['start', '--config', options.config, '--no-open', '--data-dir', dataDir],
    urlLine: /Gatehouse is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/,
    dataDir,
    ...(options.env ? { env: options.env } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** Spawns the built CLI with `args` and resolves with the URL captured by `urlLine` from stdout. */
export async function startGatehouseProcess(options: {
  args: string[];
  urlLine: RegExp;
  dataDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<GatehouseProcess> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const child = spawn(process.execPath, [CLI, ...options.args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = (): void => {
      const match = options.urlLine.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`gatehouse ${options.args[0] ?? ''} exited (${code}):\n${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
  return {
    child,
    url,
    dataDir: options.dataDir,
    output: () => out,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
