// Runs the built CLI as a user would: a child process with its own environment. Async, so the
// test's in-process servers (if any) keep serving while the child runs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI } from '../../../e2e/support/demo-process.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function gatehouse(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  return new Promise((resolve, reject) => {
    // GATEHOUSE_CONFIG is cleared so a developer's own setting cannot leak into the tests.
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, GATEHOUSE_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
