// `gatehouse connect <connection>`: a local PostgreSQL port in front of a real PostgreSQL 15,
// reached with node-postgres and psql using what the command prints; with --tls; and the
// sessions' recordings, spooled under the data folder and uploaded to a running demo app's
// policy server.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDENTITIES, SessionClient } from '@gatehouse/gateway-core';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { CLI } from '../../../e2e/support/demo-process.js';
import { startDemoApprovals, type DemoApprovals } from '../../src/host/demo-approvals.js';
import { PSQL } from '../../../gateway-core/test/pg-listener/listener-fixture.js';

let server: PostgresServer;
let dir: string;
let config: string;
let raw: { emails: string[]; ssns: string[] };
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startPostgres({ seed: 'demo' });
  const su = new pg.Client({ connectionString: server.superuserUrl });
  await su.connect();
  const c = await su.query<{ email: string; ssn: string }>('SELECT email, ssn FROM public.customers ORDER BY id LIMIT 5');
  raw = { emails: c.rows.map((r) => r.email), ssns: c.rows.map((r) => r.ssn) };
  await su.end();
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-connect-'));
  config = join(dir, 'connections.yaml');
  writeFileSync(
    config,
    `connections:\n  - { id: prod-db, name: prod-db, type: postgres, host: 127.0.0.1, port: ${server.port}, database: ${server.database}, user: ${server.user}, secret: "env:GH_CONNECT_PW", tls: { mode: disable } }\n`,
  );
}, 90_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGINT');
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Connected {
  child: ChildProcess;
  printed: () => string;
  field(name: string): string;
  /** SIGINT, then the exit code once it has closed its port and finished its uploads. */
  stop(): Promise<number | null>;
}

function spawnConnect(dataDir: string, extra: string[], o: { config?: string; env?: Record<string, string> }): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'connect', 'prod-db', '--config', o.config ?? config, '--data-dir', dataDir, ...extra], {
    env: { ...process.env, GATEHOUSE_CONFIG: '', GATEHOUSE_TOKEN: '', GH_CONNECT_PW: server.password, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

async function connect(dataDir: string, extra: string[] = [], o: { config?: string; env?: Record<string, string> } = {}): Promise<Connected> {
  const child = spawnConnect(dataDir, extra, o);
  let printed = '';
  child.stdout?.on('data', (d: Buffer) => (printed += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (printed += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/^recordings: /m.test(printed)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gatehouse connect did not print its port:\n${printed}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    printed: () => printed,
    field: (name) => new RegExp(`^  ${name}:\\s+(.+)$`, 'm').exec(printed)![1]!.trim(),
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

function psql(c: Connected, script: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(PSQL, ['-X', '-h', '127.0.0.1', '-p', c.field('port'), '-U', c.field('user'), '-d', c.field('database')], {
      env: { PATH: process.env.PATH ?? '', PGPASSWORD: c.field('password'), PGCONNECT_TIMEOUT: '10', LC_ALL: 'C.UTF-8', ...env },
    });
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => errOut.push(d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8'), code }));
    p.stdin.end(script);
  });
}

function spooled(dataDir: string): string[] {
  const spool = join(dataDir, 'connect', 'recordings', 'spool');
  return existsSync(spool) ? readdirSync(spool).filter((f) => f.endsWith('.sql.jsonl')).map((f) => join(spool, f)) : [];
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A session's recording holds its statements, decisions and masked rows, and no raw value or credential. */
function expectMaskedRecording(text: string, secrets: string[]): void {
  const events = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type?: string; text?: string; action?: string; rowCount?: number });
  expect(events.some((e) => e.type === 'statement' && /FROM public\.customers/.test(e.text ?? ''))).toBe(true);
  expect(events.some((e) => e.type === 'decision' && e.action === 'allow')).toBe(true);
  expect(events.some((e) => e.type === 'decision' && e.action === 'deny')).toBe(true);
  expect(events.some((e) => e.type === 'rows' && e.rowCount === 1)).toBe(true);
  expect(text).toContain('\u2022');
  for (const s of [...raw.emails, ...raw.ssns, ...secrets]) expect(text.includes(s), `${s.slice(0, 4)}… in the recording`).toBe(false);
}

/** The command's log (BRIEF §3: no credential in a log) holds none of the secrets given. */
function expectCleanLog(dataDir: string, secrets: string[]): string {
  const log = readFileSync(join(dataDir, 'logs', 'gatehouse-connect.log'), 'utf8');
  for (const s of secrets) expect(log.includes(s), `${s.slice(0, 4)}… in the log`).toBe(false);
  return log;
}

const SCRIPT = (): string => `SELECT email, ssn FROM public.customers WHERE email = '${raw.emails[0]}';\nDROP TABLE public.customers;\n`;

describe('gatehouse connect', () => {
  let c: Connected;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = join(dir, 'plain');
    c = await connect(dataDir);
  }, 60_000);

  it('prints a local port and one-time password, never the real credential', () => {
    expect(c.field('host')).toBe('127.0.0.1');
    expect(c.field('port')).toMatch(/^\d+$/);
    expect(c.field('sslmode')).toBe('disable');
    expect(c.printed()).not.toContain(server.password);
    expect(c.printed()).toContain(`recordings: kept in ${join(dataDir, 'connect', 'recordings', 'spool')}`);
  });

  it('serves guarded, masked queries to a client that logs in with them', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: Number(c.field('port')), user: c.field('user'), password: c.field('password'), database: c.field('database') });
    await client.connect();
    try {
      const { rows } = await client.query<{ email: string }>('SELECT email FROM customers ORDER BY id LIMIT 5');
      expect(rows).toHaveLength(5);
      for (const r of rows) expect(r.email).not.toMatch(/^[^•@]+@/);
      await expect(client.query('DROP TABLE customers')).rejects.toMatchObject({ code: '42501' });
      expect((await client.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    } finally {
      await client.end();
    }
  });

  it('records a psql session in its spool: statements, decisions, masked rows; no raw value, no credential', async () => {
    const before = new Set(spooled(dataDir));
    const r = await psql(c, SCRIPT());
    expect(r.stdout).toMatch(/\(1 row\)/);
    expect(r.stderr).toMatch(/Gatehouse refused this statement/);
    const file = await until('the psql session’s recording', () => spooled(dataDir).find((f) => !before.has(f) && /"type":"rows"/.test(readFileSync(f, 'utf8')) && /"action":"deny"/.test(readFileSync(f, 'utf8'))));
    expectMaskedRecording(readFileSync(file, 'utf8'), [server.password, c.field('password')]);
    // Kept in the spool: no policy server runs in this data folder.
    const oneTime = c.field('password');
    expect(await c.stop()).toBe(0);
    expectCleanLog(dataDir, [server.password, oneTime]);
    expect(spooled(dataDir)).toContain(file);
    expect(readFileSync(`${file}.index.jsonl`, 'utf8')).toMatch(/"end"/);
  });
});

describe('gatehouse connect --tls', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connect(join(dir, 'tls'), ['--tls']);
  }, 60_000);
  afterAll(() => c?.stop());

  it('prints the sslmode, the certificate and its SHA-256 fingerprint', () => {
    expect(c.field('sslmode')).toMatch(/^verify-ca \(TLS is required/);
    expect(c.field('cert')).toBe(join(dir, 'tls', 'local-port-tls', 'local-port.crt'));
    expect(c.field('sha256')).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(c.field('url')).toContain(`sslmode=verify-ca&sslrootcert=${encodeURIComponent(c.field('cert'))}`);
    expect(c.field('psql')).toContain(`PGSSLROOTCERT=${c.field('cert')}`);
  });

  it('serves psql pinned to the printed certificate, and refuses psql without TLS', async () => {
    const ok = await psql(c, '\\conninfo\nSELECT email FROM public.customers ORDER BY id LIMIT 3;\n', { PGSSLMODE: 'verify-ca', PGSSLROOTCERT: c.field('cert') });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/SSL connection \(protocol: TLSv1\.3/);
    expect(ok.stdout).toMatch(/\(3 rows\)/);
    for (const e of raw.emails) expect(ok.stdout).not.toContain(e);
    const refused = await psql(c, 'SELECT 1;\n', { PGSSLMODE: 'disable' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/this Gatehouse port requires TLS/);
  });

  it('serves node-postgres with the printed URL over TLS, with the printed fingerprint', async () => {
    const client = new pg.Client({ connectionString: c.field('url') });
    await client.connect();
    try {
      const stream = (client as unknown as { connection: { stream: TLSSocket } }).connection.stream;
      expect(stream).toBeInstanceOf(TLSSocket);
      expect(stream.getPeerX509Certificate()?.fingerprint256).toBe(c.field('sha256'));
      expect((await client.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    } finally {
      await client.end();
    }
  });
});

describe('gatehouse connect beside the running demo app', () => {
  let approvals: DemoApprovals;
  let c: Connected;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = join(dir, 'with-app');
    // What the demo app starts in its data folder: the policy server and the file saying where it is.
    approvals = await startDemoApprovals(dataDir);
    await approvals.policyServer.url;
    c = await connect(dataDir);
  }, 90_000);
  afterAll(async () => {
    await c?.stop();
    await approvals?.stop();
  });

  it('uploads each session’s recording to the app’s policy server, which verified it, and empties its spool', async () => {
    const url = await approvals.policyServer.url;
    expect(c.printed()).toContain(`recordings: uploaded to the demo app's policy server (${url})`);
    const r = await psql(c, SCRIPT());
    expect(r.stdout).toMatch(/\(1 row\)/);
    const engineer = DEMO_IDENTITIES.find((i) => i.id === 'engineer')!;
    const token = await approvals.issuer.tokenFor(engineer);
    const sessions = new SessionClient({ baseUrl: url, accessToken: async () => token, currentIdentity: () => engineer.id });
    const done = await until('the uploaded session', async () => (await sessions.list(token)).find((s) => s.connectionId === 'prod-db' && s.status === 'complete' && s.counts.blocked >= 1), 30_000);
    expect(done).toMatchObject({ user: 'engineer', kind: 'sql', sealed: true });
    const { bytes } = await sessions.read(token, done.id, 'body');
    expectMaskedRecording(bytes.toString('utf8'), [server.password, c.field('password')]);
    await until('the spool to empty', () => (spooled(dataDir).length === 0 ? true : undefined));
  });
});

describe('gatehouse connect with the connections file’s policy server', () => {
  let approvals: DemoApprovals;
  let url: string;
  let withServer: string;
  let token: string;
  beforeAll(async () => {
    // A policy server that trusts the demo issuer stands in for the organisation's, whose OIDC
    // access token the user puts in GATEHOUSE_TOKEN; it is not in connect's data folder.
    approvals = await startDemoApprovals(join(dir, 'org-server'));
    url = await approvals.policyServer.url;
    token = await approvals.issuer.tokenFor(DEMO_IDENTITIES.find((i) => i.id === 'engineer')!);
    withServer = join(dir, 'with-server.yaml');
    writeFileSync(withServer, `policyServer: { url: "${url}" }\n${readFileSync(config, 'utf8')}`);
  }, 90_000);
  afterAll(() => approvals?.stop());

  it('acts as the token’s person under the server’s policy, and uploads the session’s recording there', async () => {
    const dataDir = join(dir, 'configured');
    const c = await connect(dataDir, [], { config: withServer, env: { GATEHOUSE_TOKEN: token } });
    try {
      expect(c.printed()).toMatch(/^acting as: engineer \(Erin [^;]*; roles support\), policy: /m);
      expect(c.printed()).toContain(`recordings: uploaded to the policy server (${url})`);
      expect(c.printed()).not.toContain(token);
      const r = await psql(c, SCRIPT());
      expect(r.stdout).toMatch(/\(1 row\)/);
      const sessions = new SessionClient({ baseUrl: url, accessToken: async () => token, currentIdentity: () => 'engineer' });
      const done = await until('the uploaded session', async () => (await sessions.list(token)).find((s) => s.connectionId === 'prod-db' && s.status === 'complete'), 30_000);
      expect(done).toMatchObject({ user: 'engineer', kind: 'sql' });
      const { bytes } = await sessions.read(token, done.id, 'body');
      expectMaskedRecording(bytes.toString('utf8'), [server.password, c.field('password'), token]);
      await until('the spool to empty', () => (spooled(dataDir).length === 0 ? true : undefined));
      expect(await c.stop()).toBe(0);
      // This run logs (the uploads to the server), so the check reads real lines.
      expect(expectCleanLog(dataDir, [server.password, token])).toMatch(/\S/);
    } finally {
      await c.stop();
    }
  });

  it('without a token, keeps the recordings and says how to have them uploaded', async () => {
    const c = await connect(join(dir, 'no-token'), [], { config: withServer });
    try {
      expect(c.printed()).toMatch(/^acting as: engineer \(demo identity\)/m);
      expect(c.printed()).toContain(`(set GATEHOUSE_TOKEN to your access token for ${url} to act as yourself and have them uploaded there)`);
    } finally {
      await c.stop();
    }
  });

  it('refuses a token the server does not accept, clearly and without echoing it', async () => {
    const child = spawnConnect(join(dir, 'bad-token'), [], { config: withServer, env: { GATEHOUSE_TOKEN: 'not-a-valid-token-value' } });
    let printed = '';
    child.stderr?.on('data', (d: Buffer) => (printed += d.toString()));
    child.stdout?.on('data', (d: Buffer) => (printed += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(printed).toMatch(/^gatehouse connect: the token in \$GATEHOUSE_TOKEN was refused by the policy server/m);
    expect(printed).not.toContain('not-a-valid-token-value');
  });
});
