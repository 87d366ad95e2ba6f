/**
 * Cancel and backpressure on a real PostgreSQL 15: a pg_sleep(30) ends within about a second of
 * sql.cancel, and a 1M-row result is read page by page with flat memory.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicyYaml } from '../../src/policy/load-policy.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { CONNECTION_ID, createFixture, pgConnection, type Fixture } from './broker-fixture.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: PostgresServer;
let fx: Fixture;

beforeAll(async () => {
  server = await startPostgres({ seed: 'none' });
  const policy = parsePolicyYaml(`version: 1
roles:
  support:
    connections: ["prod-*"]
    limits: { maxRows: 1000000, statementTimeoutMs: 60000 }
`);
  fx = createFixture({ connections: [pgConnection(server)], secrets: { [CONNECTION_ID]: server.password }, policy });
});

afterAll(async () => {
  await fx?.gateway.close();
  await server?.stop();
});

describe('cancel and backpressure', () => {
  it('cancels a running pg_sleep(30) within about a second', async () => {
    const { sessionId } = await fx.ok('sql.open', { connectionId: CONNECTION_ID });
    const started = performance.now();
    const running = fx.ok('sql.run', { sessionId, text: 'SELECT pg_sleep(30)' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await fx.ok('sql.cancel', { sessionId })).toEqual({ cancelled: true });
    const r = await running;
    const elapsed = performance.now() - started;
    expect(r.results[0]!.status).toBe('cancelled');
    expect(elapsed).toBeLessThan(1_800);
    // The session is usable afterwards.
    const again = await fx.ok('sql.run', { sessionId, text: 'SELECT 42 AS answer' });
    expect(again.results[0]).toMatchObject({ status: 'rows', rows: [[{ v: '42' }]] });
  });

  it('reports the statement timeout as an error, not as a cancel', async () => {
    const policy = fx.policy.current();
    fx.policy.replace(parsePolicyYaml(`version: 1
roles:
  support:
    connections: ["prod-*"]
    limits: { statementTimeoutMs: 300 }
`));
    try {
      const { sessionId } = await fx.ok('sql.open', { connectionId: CONNECTION_ID });
      const r = await fx.ok('sql.run', { sessionId, text: 'SELECT pg_sleep(5)' });
      const e = r.results[0]!;
      expect(e.status).toBe('error');
      expect(e.status === 'error' && e.error.sqlstate).toBe('57014');
      expect(e.status === 'error' && e.error.hint).toMatch(/300 ms/);
    } finally {
      fx.policy.replace(policy);
    }
  });

  it('pages a 1M-row result with flat memory (measured, not timed)', async () => {
    const { sessionId } = await fx.ok('sql.open', { connectionId: CONNECTION_ID });
    const text = `SELECT g AS id, 'row ' || g AS label, md5(g::text) AS hash FROM generate_series(1, 1000000) g`;
    const first = await fx.ok('sql.run', { sessionId, text });
    const r = first.results[0]!;
    if (r.status !== 'rows') throw new Error(JSON.stringify(r));
    // Garbage is not growth: compare live heap after a full GC, early in the read and at the end.
    const live = (): number => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const rssStart = process.memoryUsage().rss;
    let rows = r.rows.length;
    let hasMore = r.hasMore;
    let pages = 0;
    let early = 0;
    let peakRss = rssStart;
    while (hasMore) {
      // Straight to the dispatcher: the fixture's transcript would itself keep every row.
      const result = await fx.gateway.dispatcher.call('sql.fetch', { queryId: r.queryId, maxRows: 10_000 });
      if ('error' in result) throw new Error(result.error.message);
      rows += result.ok.rows.length;
      hasMore = result.ok.hasMore;
      pages++;
      if (pages === 5) early = live();
      if (pages % 10 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const end = live();
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.info(`1M rows in ${pages + 1} pages: live heap after 5 pages ${mb(early)}, at the end ${mb(end)}; rss peak +${mb(peakRss - rssStart)}`);
    expect(rows).toBe(1_000_000);
    // A buffered 1M-row result would hold several hundred MB; flat means no growth with rows read.
    expect(end - early).toBeLessThan(30 * 1024 * 1024);
  }, 180_000);
});
