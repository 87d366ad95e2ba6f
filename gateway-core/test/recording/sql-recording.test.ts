// An SQL editor session through the broker to a real PostgreSQL 15 with the demo seed, recorded:
// statements, decisions, columns, the capped masked rows with their count, errors and cancels;
// it verifies, and neither the connection password nor any raw customer value is in it.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySecretStore, SecretResolver } from '../../src/connections/secret-resolver.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { DemoIdentityProvider } from '../../src/identity/demo-identity-provider.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import { PolicyStore } from '../../src/policy/policy-store.js';
import { readRecording } from '../../src/recording/read-recording.js';
import type { SqlEvent } from '../../src/recording/recording-format.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { CONNECTION_ID, pgConnection } from '../postgres/broker-fixture.js';
import { quietLogger } from './recording-helpers.js';

let server: PostgresServer;
let gateway: Gateway;
let dir: string;
let raw: string[];

beforeAll(async () => {
  server = await startPostgres({ seed: 'demo' });
  const su = new pg.Client({ connectionString: server.superuserUrl });
  await su.connect();
  const c = await su.query<{ email: string; ssn: string; phone: string }>('SELECT email, ssn, phone FROM public.customers ORDER BY id LIMIT 150');
  const k = await su.query<{ card_number: string }>('SELECT card_number FROM public.payment_cards ORDER BY id LIMIT 50');
  await su.end();
  raw = [...c.rows.flatMap((r) => [r.email, r.ssn]), ...k.rows.map((r) => r.card_number)];
  dir = await mkdtemp(join(tmpdir(), 'gh-rec-sql-'));
  const store = new InMemorySecretStore();
  store.set(CONNECTION_ID, server.password);
  gateway = createGateway({
    appInfo: { version: 'test', mode: 'configured', shell: 'browser' },
    connections: [pgConnection(server)],
    identity: new DemoIdentityProvider('engineer'),
    secrets: new SecretResolver(store, new SecretScrubber()),
    policy: new PolicyStore(loadPolicyFile()),
    logger: quietLogger,
    recordings: { dir },
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function ok<T>(p: Promise<{ ok: T } | { error: { code: string; message: string } }>): Promise<T> {
  const r = await p;
  if ('error' in r) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.ok;
}

describe('SQL recording against PostgreSQL 15', () => {
  it('records the session as a verifiable timeline of masked statements, decisions and results', async () => {
    const d = gateway.dispatcher;
    const { sessionId } = await ok(d.call('sql.open', { connectionId: CONNECTION_ID }));
    const select = await ok(d.call('sql.run', { sessionId, text: 'SELECT id, email, ssn, phone FROM public.customers ORDER BY id' }));
    expect(select.results[0]).toMatchObject({ status: 'rows' });
    await ok(d.call('sql.run', { sessionId, text: 'DROP TABLE public.customers' }));
    await ok(d.call('sql.run', { sessionId, text: `SELECT email::int FROM public.customers WHERE email = '${raw[0]}'` }));
    await ok(d.call('sql.cancel', { sessionId }));
    await ok(d.call('sql.close', { sessionId }));

    const files = await readdir(join(dir, 'spool'));
    const name = files.find((f) => f.endsWith('.sql.jsonl'))!;
    expect(files.sort()).toEqual([name, `${name}.index.jsonl`].sort());
    const path = join(dir, 'spool', name);
    const back = await readRecording(path);
    if (back.kind !== 'sql') throw new Error('kind');
    expect(back.verify).toMatchObject({ intact: true, sealed: true });
    expect(back.header.gatehouse).toMatchObject({ kind: 'sql', user: 'engineer', connectionId: CONNECTION_ID, sessionId });

    const ev = back.events;
    const byRun = (run: number): SqlEvent[] => ev.filter((e) => 'run' in e && e.run === run);
    expect(byRun(0).map((e) => e.type)).toEqual(['statement', 'decision', 'columns', 'rows']);
    expect(byRun(0)[1]).toMatchObject({ action: 'allow', class: 'read' });
    const rows = byRun(0)[3] as Extract<SqlEvent, { type: 'rows' }>;
    expect(rows.rows).toHaveLength(100); // the per-statement cap
    expect(rows.rowCount).toBeGreaterThan(100);
    expect(rows.rows[0]![1]!.m).toBe('email');
    expect(byRun(1).map((e) => e.type)).toEqual(['statement', 'decision']);
    expect(byRun(1)[1]).toMatchObject({ action: 'deny', class: 'dangerous' });
    expect(byRun(2).map((e) => e.type)).toEqual(['statement', 'decision', 'error']);
    expect(ev.at(-1)).toMatchObject({ type: 'cancel' });
    const times = ev.map((e) => e.t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // Invariant: neither the password nor a raw value, in the recording or its index.
    const all = (await readFile(path, 'utf8')) + (await readFile(`${path}.index.jsonl`, 'utf8'));
    expect(all.includes(server.password)).toBe(false);
    for (const v of raw) expect(all.includes(v), `raw value ${v.slice(0, 4)}…`).toBe(false);
  });
});
