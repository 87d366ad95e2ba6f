import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidPhoneNumber } from 'libphonenumber-js';
import pg from 'pg';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnValid, SENTINEL_TEXT, ssnValid, startDemoEnvironment, type DemoEnvironment } from '../../src/demo/index.js';

const { Client, utils } = ssh2;

// Computed independently of the implementation, the way OpenSSH does it.
function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

async function pgClient(env: DemoEnvironment, overrides: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const c = new pg.Client({ ...env.postgres, ...overrides });
  await c.connect();
  return c;
}

async function withPg<T>(env: DemoEnvironment, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await pgClient(env);
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A checksum over several tables, to prove two seeds (or two starts) hold identical data. */
async function dataChecksum(env: DemoEnvironment): Promise<string> {
  return withPg(env, async (c) => {
    const r = await c.query<{ sum: string }>(`SELECT md5(
      (SELECT string_agg(concat_ws('|', id, full_name, email, phone, ssn, date_of_birth, created_at), ',' ORDER BY id) FROM customers) ||
      (SELECT string_agg(concat_ws('|', id, customer_id, card_number, exp_month, exp_year), ',' ORDER BY id) FROM payment_cards) ||
      (SELECT string_agg(concat_ws('|', id, customer_id, status, total_cents, placed_at), ',' ORDER BY id) FROM orders) ||
      (SELECT string_agg(concat_ws('|', id, processor_ref, amount_cents), ',' ORDER BY id) FROM payments) ||
      (SELECT string_agg(concat_ws('|', id, notes), ',' ORDER BY id) FROM support_tickets)) AS sum`);
    return r.rows[0]?.sum ?? '';
  });
}

function sshConnect(env: DemoEnvironment, overrides: Partial<ConnectConfig> = {}): Promise<InstanceType<typeof Client>> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.on('ready', () => resolve(client)).on('error', reject);
    client.connect({
      host: env.ssh.host,
      port: env.ssh.port,
      username: env.ssh.username,
      privateKey: env.ssh.privateKey,
      hostVerifier: (key: Buffer) => fingerprint(key) === env.ssh.hostKeyFingerprint,
      readyTimeout: 10_000,
      ...overrides,
    });
  });
}

function execCollect(client: InstanceType<typeof Client>, command: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      stream.on('data', (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('close', () => resolve({ stdout, stderr, code }));
    });
  });
}

function waitForOutput(stream: ClientChannel, getText: () => string, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(getText())}`)), timeoutMs);
    const check = (): void => {
      if (pattern.test(getText())) {
        clearTimeout(timer);
        stream.off('data', check);
        resolve();
      }
    };
    stream.on('data', check);
    check();
  });
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

describe('demo environment', () => {
  let dataDir: string;
  let env: DemoEnvironment;
  let firstChecksum: string;

  beforeAll(async () => {
    process.env.GATEHOUSE_DEMO_TEST_SECRET = 'must-not-leak-into-the-shell';
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-demo-test-'));
    const t0 = performance.now();
    env = await startDemoEnvironment({ dataDir });
    console.log(`demo environment: fresh seed + start took ${Math.round(performance.now() - t0)} ms`);
    expect(env.seeded).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('postgres', () => {
    it('serves two concurrent clients', async () => {
      const [a, b] = await Promise.all([pgClient(env), pgClient(env)]);
      try {
        const [ra, rb] = await Promise.all([
          a.query('SELECT count(*)::int AS n FROM orders'),
          b.query('SELECT count(*)::int AS n FROM customers'),
        ]);
        expect(ra.rows[0].n).toBeGreaterThanOrEqual(30_000);
        expect(rb.rows[0].n).toBeGreaterThanOrEqual(10_000);
      } finally {
        await Promise.all([a.end(), b.end()]);
      }
    });

    it('requires the right user, password and database', async () => {
      await expect(pgClient(env, { password: 'wrong' })).rejects.toThrow(/password authentication failed/);
      await expect(pgClient(env, { database: 'nope' })).rejects.toThrow(/database "nope" does not exist/);
      await expect(pgClient(env, { user: 'mallory' })).rejects.toThrow(/role "mallory" does not exist/);
    });

    it('has realistic, valid-looking customers', async () => {
      const rows = await withPg(env, async (c) => (await c.query<{ ssn: string; phone: string }>('SELECT ssn, phone FROM customers')).rows);
      expect(rows.length).toBeGreaterThanOrEqual(10_000);
      expect(rows.every((r) => ssnValid(r.ssn))).toBe(true);
      expect(rows.every((r) => isValidPhoneNumber(r.phone, 'US'))).toBe(true);
    });

    it('stores only Luhn-valid test card numbers', async () => {
      const rows = await withPg(env, async (c) => (await c.query<{ card_number: string }>('SELECT card_number FROM payment_cards')).rows);
      expect(rows.length).toBeGreaterThan(10_000);
      const bad = rows.filter((r) => !luhnValid(r.card_number));
      expect(bad).toEqual([]);
      expect(rows.every((r) => /^(4111|4242|5555|2223|3782|6011)/.test(r.card_number))).toBe(true);
    });

    it('has ticket notes that embed customer PII', async () => {
      const r = await withPg(env, (c) =>
        c.query<{ tickets: number; with_email: number; with_card: number; with_ssn: number }>(`
          SELECT count(*)::int AS tickets,
                 count(*) FILTER (WHERE position(c.email IN t.notes) > 0)::int AS with_email,
                 count(*) FILTER (WHERE position(c.ssn IN t.notes) > 0)::int AS with_ssn,
                 count(*) FILTER (WHERE EXISTS (SELECT 1 FROM payment_cards pc WHERE pc.customer_id = c.id
                   AND position(pc.card_number IN regexp_replace(t.notes, '(\\d)[ -](?=\\d)', '\\1', 'g')) > 0))::int AS with_card
            FROM support_tickets t JOIN customers c ON c.id = t.customer_id`),
      );
      const row = r.rows[0];
      expect(row?.tickets).toBeGreaterThanOrEqual(3_000);
      expect(row?.with_email).toBeGreaterThan(1_000);
      expect(row?.with_card).toBeGreaterThan(300);
      expect(row?.with_ssn).toBeGreaterThan(300);
    });

    it('has queryable views, a billing schema and planner statistics', async () => {
      await withPg(env, async (c) => {
        for (const v of ['customer_order_summary', 'open_tickets', 'recent_payments', 'billing.monthly_revenue', 'billing.invoices']) {
          const r = await c.query(`SELECT * FROM ${v} LIMIT 5`);
          expect(r.rows.length, v).toBeGreaterThan(0);
        }
        const est = await c.query<{ reltuples: number }>(`SELECT reltuples FROM pg_class WHERE oid = 'public.customers'::regclass`);
        expect(est.rows[0]?.reltuples).toBeGreaterThan(9_000);
        const fks = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f'`);
        expect(fks.rows[0]?.n).toBeGreaterThanOrEqual(9);
      });
      firstChecksum = await dataChecksum(env);
      expect(firstChecksum).toMatch(/^[0-9a-f]{32}$/);
    });
  });

  describe('ssh', () => {
    it('reports the host key fingerprint the way ssh-keygen does', () => {
      expect(env.ssh.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      const key = utils.parseKey(env.ssh.privateKey);
      expect(key instanceof Error).toBe(false);
    });

    it('runs an interactive shell with the requested pty size and follows window changes', async () => {
      const client = await sshConnect(env);
      try {
        const stream = await new Promise<ClientChannel>((resolve, reject) =>
          client.shell({ term: 'xterm-256color', cols: 100, rows: 30 }, (err, s) => (err ? reject(err) : resolve(s))),
        );
        let out = '';
        stream.on('data', (d: Buffer) => (out += d.toString()));
        await waitForOutput(stream, () => out, /demo@prod-db-01:~\$ /);
        stream.write('echo hello; stty size; echo "term=$TERM home=$HOME"\n');
        await waitForOutput(stream, () => out, /\rhello\r\n30 100\r\nterm=xterm-256color home=\/\S*gatehouse-demo-ssh-/);
        stream.setWindow(40, 120, 0, 0);
        await new Promise((r) => setTimeout(r, 100));
        stream.write('stty size\n');
        await waitForOutput(stream, () => out, /\r40 120\r\n/);
        const exit = new Promise<number | null>((resolve) => stream.on('exit', (code: number | null) => resolve(code)));
        stream.write('exit 0\n');
        expect(await exit).toBe(0);
      } finally {
        client.end();
      }
    });

    it('runs exec requests with stdout, stderr and exit status', async () => {
      const client = await sshConnect(env);
      try {
        const cat = await execCollect(client, 'cat sentinel.txt');
        expect(cat).toEqual({ stdout: SENTINEL_TEXT, stderr: '', code: 0 });
        expect((await execCollect(client, 'exit 3')).code).toBe(3);
        const err = await execCollect(client, 'echo oops >&2; false');
        expect(err).toMatchObject({ stdout: '', stderr: 'oops\n', code: 1 });
        const env_ = await execCollect(client, 'env');
        expect(env_.stdout).not.toContain('GATEHOUSE_DEMO_TEST_SECRET');
        const files = await execCollect(client, 'ls -R; grep -c "pan=" logs/app.log; grep -o "postgres://[^ ]*" config/app.yaml');
        expect(files.stdout).toContain('app.log');
        expect(files.stdout).toContain('access.log');
        expect(files.stdout).toContain('postgres://app:s3cr3t-demo@db:5432/app');
      } finally {
        client.end();
      }
    });

    it('runs exec with a pty, and a shell without one', async () => {
      const client = await sshConnect(env);
      try {
        const tty = await new Promise<string>((resolve, reject) =>
          client.exec('tty; stty size', { pty: { term: 'xterm', cols: 90, rows: 20 } }, (err, s) => {
            if (err) return reject(err);
            let out = '';
            s.on('data', (d: Buffer) => (out += d.toString())).on('close', () => resolve(out));
          }),
        );
        expect(tty).toMatch(/^\/dev\/pts\/\d+\r\n20 90\r\n$/);
        const plain = await new Promise<{ out: string; code: number | null }>((resolve, reject) =>
          client.shell(false, (err, s) => {
            if (err) return reject(err);
            let out = '';
            let code: number | null = null;
            s.on('data', (d: Buffer) => (out += d.toString()));
            s.on('exit', (c: number | null) => (code = c));
            s.on('close', () => resolve({ out, code }));
            s.end('echo hi; exit 4\n');
          }),
        );
        expect(plain).toEqual({ out: 'hi\n', code: 4 });
      } finally {
        client.end();
      }
    });

    it('interoperates with the OpenSSH client, which sees the same host key fingerprint', async () => {
      if (!existsSync('/usr/bin/ssh')) return;
      const keyFile = join(dataDir, 'demo_id');
      await writeFile(keyFile, env.ssh.privateKey, { mode: 0o600 });
      // Asynchronously: the server runs in this very process, so a sync spawn would deadlock.
      const r = await run('/usr/bin/ssh', [
        '-F', '/dev/null', '-v', '-i', keyFile, '-p', String(env.ssh.port),
        '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
        `${env.ssh.username}@127.0.0.1`, 'cat sentinel.txt',
      ]);
      expect(r.stdout).toBe(SENTINEL_TEXT);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`Server host key: ssh-ed25519 ${env.ssh.hostKeyFingerprint}`);
    });

    it('refuses a wrong key and a wrong user', async () => {
      // Same ssh2 quirk the implementation works around: ~1 in 250 ed25519 keys is malformed.
      let other = utils.generateKeyPairSync('ed25519');
      while (utils.parseKey(other.private) instanceof Error) other = utils.generateKeyPairSync('ed25519');
      await expect(sshConnect(env, { privateKey: other.private })).rejects.toThrow(/authentication methods failed/);
      await expect(sshConnect(env, { username: 'root' })).rejects.toThrow(/authentication methods failed/);
    });
  });

  describe('restarts', () => {
    it('reuses an existing data dir without reseeding, with identical data', async () => {
      await env.stop();
      const t0 = performance.now();
      env = await startDemoEnvironment({ dataDir });
      const warmMs = Math.round(performance.now() - t0);
      console.log(`demo environment: warm start took ${warmMs} ms`);
      expect(env.seeded).toBe(false);
      expect(warmMs).toBeLessThan(5_000);
      expect(await dataChecksum(env)).toBe(firstChecksum);
    }, 60_000);

    it('rebuilds on reset, deterministically', async () => {
      await env.stop();
      await withNoThrow(() => env.stop()); // idempotent
      const t0 = performance.now();
      env = await startDemoEnvironment({ dataDir, reset: true, onProgress: () => undefined });
      console.log(`demo environment: reset (delete + fresh seed) took ${Math.round(performance.now() - t0)} ms`);
      expect(env.seeded).toBe(true);
      expect(await dataChecksum(env)).toBe(firstChecksum);
    }, 120_000);

    it('stop() kills shells and their jobs, removes the work dir and closes the ports', async () => {
      const { workDir } = env.ssh;
      const ports = [env.postgres.port, env.ssh.port];
      expect(existsSync(workDir)).toBe(true);
      // Leave work running: a foreground job, a background job, a nohup'd job and an exec.
      const client = await sshConnect(env);
      client.on('error', () => undefined);
      const stream = await new Promise<ClientChannel>((resolve, reject) =>
        client.shell({ term: 'xterm', cols: 80, rows: 24 }, (err, s) => (err ? reject(err) : resolve(s))),
      );
      let out = '';
      stream.on('data', (d: Buffer) => (out += d.toString()));
      stream.write('sleep 3001 & nohup sleep 3002 >/dev/null 2>&1 & echo started\n');
      await waitForOutput(stream, () => out, /[\r\n]started\r\n/);
      stream.write('sleep 3003\n');
      client.exec('sleep 3004', () => undefined);
      await new Promise((r) => setTimeout(r, 300));
      expect(sleepers()).toHaveLength(4);

      await env.stop();
      expect(existsSync(workDir)).toBe(false);
      for (const port of ports) expect(await portRefuses(port)).toBe(true);
      expect(sleepers()).toEqual([]);
    });
  });
});

function run(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

/** Our marker processes (`sleep 300N`) still alive, from /proc. */
function sleepers(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (/^sleep 300[1-4]$/.test(cmd)) found.push(`${pid}: ${cmd}`);
    } catch {
      // exited while we looked
    }
  }
  return found;
}

async function withNoThrow(fn: () => Promise<void>): Promise<void> {
  await expect(fn()).resolves.toBeUndefined();
}
