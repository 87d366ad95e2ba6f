/** A local-port session is recorded as the editor's are: statements, decisions, masked rows. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Logger } from '../../src/logging/logger.js';
import { listenerPolicyFrom, startPgListener, type PgListener } from '../../src/pg-listener/listener.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import { Recordings } from '../../src/recording/recordings.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { CONNECTION_ID, listenerConfig, runPsql } from './listener-fixture.js';

let server: PostgresServer;
let listener: PgListener;
let dir: string;
let email: string;
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;

beforeAll(async () => {
  server = await startPostgres({ seed: 'demo' });
  const su = new pg.Client({ connectionString: server.superuserUrl });
  await su.connect();
  email = (await su.query<{ email: string }>('SELECT email FROM public.customers ORDER BY id LIMIT 1')).rows[0]!.email;
  await su.end();
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-pg-listener-rec-'));
  const policy = loadPolicyFile();
  listener = await startPgListener({
    config: listenerConfig(server),
    secrets: { resolve: async () => server.password },
    identityId: 'engineer',
    policy: listenerPolicyFrom(() => policy, () => ({ id: 'engineer', roles: ['support'] }), CONNECTION_ID),
    recordings: new Recordings({ dir, flushIntervalMs: 10 }, quiet),
  });
}, 120_000);

afterAll(async () => {
  await listener?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function recordingText(): Promise<string> {
  const spool = join(dir, 'spool');
  const files = (await readdir(spool, { recursive: true })).filter((f) => String(f).endsWith('.sql.jsonl'));
  const texts = await Promise.all(files.map((f) => readFile(join(spool, String(f)), 'utf8')));
  return texts.join('\n');
}

it('records statements, decisions and masked rows of psql and pg sessions', async () => {
  const r = await runPsql(listener, `SELECT email FROM public.customers WHERE email = '${email}';\nDROP TABLE public.customers;\n`);
  expect(r.stdout).toMatch(/\(1 row\)/);
  const c = new pg.Client({ host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database });
  await c.connect();
  await c.query('SELECT id, email FROM public.customers WHERE id = $1', [1]);
  await c.end();
  let text = '';
  for (let i = 0; i < 50 && !(text.match(/"type":"rows"/g)?.length === 2 && /"action":"deny"/.test(text)); i++) {
    await new Promise((res) => setTimeout(res, 100));
    text = await recordingText();
  }
  const events = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type?: string; action?: string; rowCount?: number; rows?: unknown });
  expect(events.filter((e) => e.type === 'statement').length).toBeGreaterThanOrEqual(3);
  expect(events.some((e) => e.type === 'decision' && e.action === 'deny')).toBe(true);
  const rows = events.filter((e) => e.type === 'rows');
  expect(rows).toHaveLength(2);
  expect(rows.every((e) => e.rowCount === 1)).toBe(true);
  expect(JSON.stringify(rows)).toContain('\u2022');
  // Neither the rows nor the statement text (which quoted the email) carry the raw value.
  expect(text.includes(email)).toBe(false);
});

it('records a COPY TO STDOUT run with its columns, masked rows and count', async () => {
  const r = await runPsql(listener, `COPY (SELECT id, email, ssn FROM public.customers ORDER BY id LIMIT 3) TO STDOUT;\nCOPY customers TO STDOUT (FORMAT binary);\n`);
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(3);
  let events: { type?: string; text?: string; action?: string; rowCount?: number; columns?: { name: string }[]; rows?: unknown }[] = [];
  for (let i = 0; i < 50; i++) {
    await new Promise((res) => setTimeout(res, 100));
    events = (await recordingText()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as (typeof events)[number]);
    if (events.some((e) => e.type === 'rows' && e.rowCount === 3) && events.some((e) => e.type === 'decision' && e.action === 'deny' && /BINARY/.test(JSON.stringify(e)))) break;
  }
  const copy = events.findIndex((e) => e.type === 'statement' && /^COPY \(SELECT id, email, ssn/.test(e.text ?? ''));
  expect(copy).toBeGreaterThanOrEqual(0);
  expect(events[copy + 1]).toMatchObject({ type: 'decision', action: 'allow' });
  expect(events.slice(copy).find((e) => e.type === 'columns')).toMatchObject({ columns: [{ name: 'id' }, { name: 'email' }, { name: 'ssn' }] });
  const rows = events.slice(copy).find((e) => e.type === 'rows');
  expect(rows).toMatchObject({ rowCount: 3 });
  expect(JSON.stringify(rows)).toContain('\u2022');
  expect(JSON.stringify(events).includes(email)).toBe(false);
  expect(events.some((e) => e.type === 'decision' && e.action === 'deny' && /BINARY/.test(JSON.stringify(e)))).toBe(true);
});
