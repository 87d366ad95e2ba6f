// `gatehouse ssh <connection> -c "..."` against a real OpenSSH sshd, and `demo-ssh` against the
// demo's own target: masked output, the remote exit status, and refusals before connecting.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type SshdServer } from '../../../test-support/sshd/sshd-server.js';
import { gatehouse, type CliResult } from './run-cli.js';

const CARD = '4111 1111 1111 1111';
const EMAIL = 'jane.doe@example.com';

let sshd: SshdServer;
let dir: string;
let config: string;
const results: CliResult[] = [];

async function ssh(connection: string, command: string): Promise<CliResult> {
  const r = await gatehouse(['ssh', connection, '-c', command, '--config', config, '--data-dir', join(dir, 'data')]);
  results.push(r);
  return r;
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  sshd = await startSshd();
  dir = await mkdtemp(join(tmpdir(), 'gh-cli-ssh-'));
  await writeFile(join(sshd.homeDir, 'customers.txt'), `id,email,card\n1,${EMAIL},${CARD}\n`);
  const entry = (id: string, port: number, hostKey: string): string =>
    `  - { id: ${id}, name: ${id}, type: ssh, host: 127.0.0.1, port: ${port}, user: ${sshd.user}, auth: { method: key, privateKey: "file:${sshd.privateKeyPath}" }, hostKey: "${hostKey}" }\n`;
  // A pinned key that is not the server's (same format, different hash).
  const wrongKey = `SHA256:${'A'.repeat(43)}`;
  config = join(dir, 'connections.yaml');
  await writeFile(
    config,
    `connections:\n${entry('prod-box', sshd.port, sshd.hostKeyFingerprint)}${entry('prod-dead', await closedPort(), sshd.hostKeyFingerprint)}${entry('prod-impostor', sshd.port, wrongKey)}`,
  );
});

afterAll(async () => {
  await sshd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gatehouse ssh on OpenSSH sshd', () => {
  it('prints the output with card numbers and emails masked', async () => {
    const r = await ssh('prod-box', `cat ${join(sshd.homeDir, 'customers.txt')}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('id,email,card');
    expect(r.stdout).toContain('•••• •••• •••• 1111');
    expect(r.stdout).not.toContain(CARD);
    expect(r.stdout).not.toContain(EMAIL);
  });

  it('exits with the remote status, stdout and stderr kept apart', async () => {
    const r = await ssh('prod-box', 'echo to-out; echo to-err >&2; exit 3');
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('to-out\n');
    expect(r.stderr).toBe('to-err\n');
  });

  it('refuses rm -rf / with exit 126 before connecting', async () => {
    // prod-dead has nothing listening: a connection attempt would end in 255, not 126.
    for (const connection of ['prod-box', 'prod-dead']) {
      const r = await ssh(connection, 'rm -rf /');
      expect(r.status).toBe(126);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/blocked: recursive delete .* \[rm-recursive-system-path\]/);
    }
  });

  it('fails with 255 and plain words when the server is down or its host key is wrong', async () => {
    const dead = await ssh('prod-dead', 'echo hi');
    expect(dead.status).toBe(255);
    expect(dead.stderr).toMatch(/^gatehouse ssh: Could not connect to prod-dead \(127\.0\.0\.1:\d+\)/);
    const impostor = await ssh('prod-impostor', 'echo hi');
    expect(impostor.status).toBe(255);
    expect(impostor.stderr).toContain(`the server presented ${sshd.hostKeyFingerprint}`);
    expect(impostor.stdout).toBe('');
  });

  it('names a connection the file does not have (exit 2)', async () => {
    const r = await ssh('prod-nope', 'echo hi');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no SSH connection "prod-nope" in .*connections\.yaml/);
  });

  it('never prints the private key', async () => {
    expect(results.length).toBeGreaterThanOrEqual(7);
    const key = await readFile(sshd.privateKeyPath, 'utf8');
    const lines = key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    expect(lines.length).toBeGreaterThan(0);
    for (const r of results) for (const line of lines) expect(r.stdout + r.stderr).not.toContain(line);
  });
});

describe('gatehouse ssh demo-ssh', () => {
  it('starts only the demo SSH target, runs the command masked, and exits with its status', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gh-cli-demo-ssh-'));
    try {
      const started = Date.now();
      const r = await gatehouse(['ssh', 'demo-ssh', '-c', 'grep -m 3 card= logs/app.log; exit 5', '--data-dir', dataDir]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(5);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      for (const line of lines) expect(line).toMatch(/card="•••• •••• •••• \d{4}"/);
      // The database was not started (no seed to wait for), and nothing was left running.
      expect(existsSync(join(dataDir, 'demo', 'pgdata'))).toBe(false);
      expect(Date.now() - started).toBeLessThan(15_000);
      // A refused command is refused the same way.
      const refused = await gatehouse(['ssh', 'demo-ssh', '-c', 'rm -rf /', '--data-dir', dataDir]);
      expect(refused.status).toBe(126);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
