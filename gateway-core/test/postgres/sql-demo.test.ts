/**
 * The basic editor flow on the offline demo: PGlite behind pglite-socket, reached with `pg` like
 * any server. Per-transaction READ ONLY and SET LOCAL must work there too, and two sessions must
 * not leak settings into each other (PGlite shares one session between connections).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONNECTION_IDS, startDemoGateway, type DemoGateway } from '../../src/gateway/demo-gateway.js';
import { expectAbsent } from './broker-fixture.js';

const PASSWORD = 'demo-db-Pa55word-for-leak-check';
let dir: string;
let gateway: DemoGateway;

async function ok<T>(p: Promise<{ ok: T } | { error: { code: string; message: string } }>): Promise<T> {
  const r = await p;
  if ('error' in r) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.ok;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-sql-demo-'));
  gateway = startDemoGateway({ dataDir: dir, shell: 'browser', version: 'test', demoDatabasePassword: PASSWORD });
  expect(await gateway.ready).toBeDefined();
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SQL editor on the demo PGlite', () => {
  it('opens, runs a masked query, pages, refuses a DROP, and never returns the password', async () => {
    const d = gateway.dispatcher;
    const { sessionId } = await ok(d.call('sql.open', { connectionId: DEMO_CONNECTION_IDS.postgres }));
    const run = await ok(d.call('sql.run', { sessionId, text: 'SELECT id, email, ssn, phone FROM public.customers ORDER BY id' }));
    const r = run.results[0]!;
    if (r.status !== 'rows') throw new Error(JSON.stringify(r));
    expect(r.rows).toHaveLength(500);
    expect(r.hasMore).toBe(true);
    expect(r.rows[0]![1]!.m).toBe('email');
    expect(r.rows[0]![2]!.m).toBe('full');
    expect(r.rows[0]![3]!.m).toBe('partial');
    const page = await ok(d.call('sql.fetch', { queryId: r.queryId, maxRows: 500 }));
    expect(page.rowCount).toBe(1000);

    const drop = await ok(d.call('sql.run', { sessionId, text: 'DROP TABLE public.customers' }));
    expect(drop.results[0]).toMatchObject({ status: 'refused', refusal: { action: 'deny', class: 'dangerous' } });

    const schema = await ok(d.call('sql.schema', { connectionId: DEMO_CONNECTION_IDS.postgres }));
    expect(schema.schemas.map((s) => s.name)).toContain('billing');

    expectAbsent([run, page, drop, schema], [PASSWORD]);
  });

  it('enforces read-only per transaction on PGlite, without leaking settings across sessions', async () => {
    const d = gateway.dispatcher;
    const a = (await ok(d.call('sql.open', { connectionId: DEMO_CONNECTION_IDS.postgres }))).sessionId;
    const b = (await ok(d.call('sql.open', { connectionId: DEMO_CONNECTION_IDS.postgres }))).sessionId;
    const ro = await ok(d.call('sql.run', { sessionId: a, text: 'SHOW transaction_read_only' }));
    expect(ro.results[0]).toMatchObject({ status: 'rows', rows: [[{ v: 'on' }]] });
    await ok(d.call('sql.run', { sessionId: a, text: `SET datestyle = 'SQL, DMY'` }));
    const other = await ok(d.call('sql.run', { sessionId: b, text: 'SHOW datestyle' }));
    expect(other.results[0]).toMatchObject({ status: 'rows', rows: [[{ v: 'ISO, MDY' }]] });
    const err = await ok(d.call('sql.run', { sessionId: b, text: 'SELECT 1/0' }));
    expect(err.results[0]).toMatchObject({ status: 'error', error: { sqlstate: '22012' } });
    // After an error the session is clean and usable.
    const again = await ok(d.call('sql.run', { sessionId: b, text: 'SELECT count(*) FROM billing.invoices' }));
    expect(again.results[0]!.status).toBe('rows');
  });
});
