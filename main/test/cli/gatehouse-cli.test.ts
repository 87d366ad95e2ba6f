import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, startDemoProcess } from '../../../e2e/support/demo-process.js';

function gatehouse(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return gatehouseWithInput('', ...args);
}

function gatehouseWithInput(input: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: { ...process.env, GATEHOUSE_CONFIG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(true));
  });
}

async function waitForLog(file: string, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = existsSync(file) ? pattern.exec(readFileSync(file, 'utf8')) : null;
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`${file} never matched ${pattern}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('gatehouse CLI', () => {
  it('prints its version', () => {
    const r = gatehouse('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses a port that is not a number with a usage error, not a stack trace', () => {
    for (const args of [['demo', '--port', 'abc'], ['server', '--port', '70000'], ['start', '--config', 'x.yaml', '--port', '']]) {
      const r = gatehouse(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/option '--port <port>' argument '.*' is invalid\. a port number 0-65535/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('lists the demo connections when no config is given, as text and JSON', () => {
    const text = gatehouse('connections');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('demo-postgres');
    expect(text.stdout).toContain('demo-ssh');
    const json = JSON.parse(gatehouse('connections', '--json').stdout) as { source: string; connections: Array<{ id: string; type: string }> };
    expect(json.source).toBe('demo');
    expect(json.connections.map((c) => [c.id, c.type])).toEqual([
      ['demo-postgres', 'postgres'],
      ['demo-ssh', 'ssh'],
    ]);
  });

  it('lists a config file’s connections, and names the line of a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-cli-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'connections:\n  - { id: db, name: DB, type: postgres, host: h, database: d, user: u, secret: "env:PW" }\n');
    const r = gatehouse('connections', '--json', '--config', good);
    expect(JSON.parse(r.stdout).connections).toEqual([{ id: 'db', name: 'DB', type: 'postgres', target: 'h:5432/d' }]);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'connections:\n  - id: db\n    name: DB\n    type: postgres\n    host: h\n    database: d\n    user: u\n    secret: plaintext-pw\n');
    const e = gatehouse('connections', '--config', bad);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/bad\.yaml:8: connections\.0\.secret: must be a secret reference/);
  });

  it('stores a secret from stdin, sealed, and lists it by name only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-cli-secrets-'));
    const set = gatehouseWithInput('s3cret-from-stdin\n', 'secrets', 'set', 'prod-db', '--data-dir', dir);
    expect(set.status).toBe(0);
    expect(set.stderr).toContain('stored:prod-db saved');
    const list = gatehouse('secrets', 'list', '--data-dir', dir);
    expect(list.stdout.trim()).toBe('stored:prod-db');
    expect(set.stdout + set.stderr + list.stdout + list.stderr).not.toContain('s3cret-from-stdin');
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain('s3cret-from-stdin');
    expect(gatehouse('secrets', 'delete', 'prod-db', '--data-dir', dir).status).toBe(0);
    expect(gatehouse('secrets', 'list', '--data-dir', dir).stdout).toBe('');
  });

  it('doctor reports what it finds and how to install what is missing', () => {
    const r = gatehouse('doctor', '--json');
    const checks = JSON.parse(r.stdout).checks as Array<{ name: string; ok: boolean; found: string; fix?: string }>;
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['Node.js', 'shell', 'Chromium', 'PostgreSQL server', 'OpenSSH server']),
    );
    for (const c of checks.filter((c) => !c.ok)) expect(c.fix).toBeTruthy();
    const chromium = checks.find((c) => c.name === 'Chromium');
    expect(chromium?.ok).toBe(existsSync('/usr/bin/chromium'));
  });

  it('demo prints a tokenised URL, and Ctrl-C stops everything it started', async () => {
    const demo = await startDemoProcess();
    const port = Number(new URL(demo.url).port);
    expect((await fetch(demo.url, { redirect: 'manual' })).status).toBe(302);
    await demo.targetsReady();
    // The log names the throwaway SSH working folder this demo made (other tests may run demos too).
    const log = await waitForLog(join(demo.dataDir, 'logs', 'gatehouse.log'), /"sshWorkDir":"([^"]+)"/);
    const workDir = log[1] ?? '';
    expect(existsSync(workDir)).toBe(true);
    const sshPort = Number(/demo@127\.0\.0\.1:(\d+)/.exec(JSON.stringify(await listConnections(demo.url)))?.[1]);

    expect(await demo.stop('SIGINT')).toBe(0);
    expect(await portIsClosed(port)).toBe(true);
    expect(await portIsClosed(sshPort)).toBe(true);
    expect(existsSync(workDir)).toBe(false);
    expect(readFileSync(join(demo.dataDir, 'logs', 'gatehouse.log'), 'utf8')).not.toContain('BEGIN OPENSSH PRIVATE KEY');
  }, 120_000);
});

/** Reads the connection list the way the page does: cookie exchange, then the bridge socket. */
async function listConnections(url: string): Promise<unknown> {
  const { WebSocket } = await import('ws');
  const res = await fetch(url, { redirect: 'manual' });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const origin = new URL(url).origin;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/bridge`, { headers: { Origin: origin, Cookie: cookie } });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, method: 'connections.list', input: {} })));
    ws.on('message', (data) => {
      // Events (recordings.changed, connections.changed, …) may arrive before the call's answer.
      const message = JSON.parse(String(data)) as { id?: unknown };
      if (message.id !== 1) return;
      ws.close();
      resolve(message);
    });
    ws.on('error', reject);
  });
}
