/**
 * The SQL session broker against a real PostgreSQL 15 seeded with the demo data: guard decisions
 * with locations, masking over real result sets, read-only enforcement, row cap, history, CSV,
 * and the credential never appearing in anything the bridge returns.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlRunResult, SqlStatementResult } from '../../src/contract/sql-schemas.js';
import { FULL_MASK } from '../../src/masking/index.js';
import { parsePolicyYaml } from '../../src/policy/load-policy.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { CONNECTION_ID, createFixture, expectAbsent, pgConnection, type Fixture } from './broker-fixture.js';

let server: PostgresServer;
let fx: Fixture;
let su: pg.Client;
let sessionId: string;
/** Raw sensitive values from the seed, read with the superuser, to prove they never come out. */
let raw: { emails: string[]; cards: string[]; ssns: string[] };

beforeAll(async () => {
  server = await startPostgres({ seed: 'demo' });
  su = new pg.Client({ connectionString: server.superuserUrl });
  await su.connect();
  const c = await su.query<{ email: string; ssn: string }>('SELECT email, ssn FROM public.customers ORDER BY id LIMIT 50');
  const k = await su.query<{ card_number: string }>('SELECT card_number FROM public.payment_cards ORDER BY id LIMIT 50');
  raw = { emails: c.rows.map((r) => r.email), ssns: c.rows.map((r) => r.ssn), cards: k.rows.map((r) => r.card_number) };
  // A function the guard cannot see into: it writes, but is called from a plain SELECT.
  await su.query(`CREATE FUNCTION public.sneaky_write() RETURNS int LANGUAGE sql VOLATILE AS
    $$ INSERT INTO public.products (sku, name, category, price_cents, active, created_at)
       VALUES ('SNEAKY', 'x', 'x', 1, true, now()) RETURNING 1 $$`);
  await su.query('GRANT EXECUTE ON FUNCTION public.sneaky_write() TO gatehouse_app');
  fx = createFixture({ connections: [pgConnection(server)], secrets: { [CONNECTION_ID]: server.password } });
  sessionId = (await fx.ok('sql.open', { connectionId: CONNECTION_ID })).sessionId;
});

afterAll(async () => {
  await fx?.gateway.close();
  await su?.end();
  await server?.stop();
});

async function run(text: string, session = sessionId): Promise<SqlRunResult> {
  return fx.ok('sql.run', { sessionId: session, text });
}

function only(r: SqlRunResult): SqlStatementResult {
  expect(r.results).toHaveLength(1);
  return r.results[0]!;
}

function rowsOf(r: SqlStatementResult): Extract<SqlStatementResult, { status: 'rows' }> {
  if (r.status !== 'rows') throw new Error(`expected rows, got ${JSON.stringify(r).slice(0, 400)}`);
  return r;
}

describe('SQL broker on PostgreSQL 15', () => {
  it('masks emails, cards and SSNs in real rows, with the rule or detector named per cell', async () => {
    const r = rowsOf(only(await run('SELECT c.id, c.email, c.ssn, c.phone, pc.card_number FROM public.customers c JOIN public.payment_cards pc ON pc.customer_id = c.id ORDER BY c.id LIMIT 20')));
    expect(r.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'email', type: 'text' },
      { name: 'ssn', type: 'text' },
      { name: 'phone', type: 'text' },
      { name: 'card_number', type: 'text' },
    ]);
    for (const row of r.rows) {
      const [id, email, ssn, phone, card] = row;
      expect(id!.m).toBeUndefined();
      expect(email!.m).toBe('email');
      expect(ssn).toEqual({ v: FULL_MASK, m: 'full' }); // column rule public.customers.ssn: full
      expect(phone!.m).toBe('partial');
      expect(card!.m).toBe('partial');
      expect(card!.v).toMatch(/^•+\d{4}$/);
    }
    expectAbsent(r, [...raw.emails, ...raw.ssns, ...raw.cards]);
  });

  it('runs detectors on free text and on values whose column has no rule (tickets, aliases)', async () => {
    const r = rowsOf(only(await run(`SELECT notes FROM public.support_tickets WHERE notes LIKE '%Full number given%' LIMIT 5`)));
    expect(r.rows.length).toBeGreaterThan(0);
    for (const [notes] of r.rows) expect(notes!.m).toMatch(/card/);
    // An alias hides the column's name, but the detector still finds the value.
    const a = rowsOf(only(await run('SELECT card_number AS x, email AS y FROM public.payment_cards pc JOIN public.customers c ON c.id = pc.customer_id LIMIT 5')));
    for (const [x, y] of a.rows) {
      expect(x!.m).toBe('partial'); // the field still points at payment_cards.card_number
      expect(y!.m).toBe('email');
    }
    // An expression has no source column: the detectors still run.
    const e = rowsOf(only(await run(`SELECT 'card ' || card_number AS t FROM public.payment_cards LIMIT 3`)));
    for (const [t] of e.rows) expect(t!.m).toBe('card');
    expectAbsent([r, a, e], [...raw.cards, ...raw.emails]);
  });

  it('refuses DROP and DELETE without WHERE with class, rule, reason and location', async () => {
    const text = 'SELECT 1;\nDROP TABLE public.customers';
    const r = only(await run(text));
    expect(r.status).toBe('refused');
    if (r.status !== 'refused') return;
    expect(r.refusal).toMatchObject({ action: 'deny', class: 'dangerous' });
    expect(text.slice(r.refusal.location!.start, r.refusal.location!.end)).toContain('DROP TABLE');

    const del = 'DELETE FROM public.orders';
    const d = only(await run(del));
    expect(d.status).toBe('refused');
    if (d.status !== 'refused') return;
    expect(d.refusal.rule).toBe('delete-without-where');
    expect(d.refusal.location).toBeDefined();

    // A write with a WHERE needs an approval, which does not exist yet: refused, saying so.
    const w = only(await run(`UPDATE public.customers SET phone = 'x' WHERE id = 1`));
    expect(w.status === 'refused' && w.refusal.action).toBe('approve');
    expect(w.status === 'refused' && w.refusal.reason).toMatch(/needs an approval/);

    // Parse errors are refused with the parser's message and position.
    const p = only(await run('SELEC 1'));
    expect(p.status === 'refused' && p.refusal.rule).toBe('parse-error');
  });

  it('masks the value quoted in a refusal reason', async () => {
    const r = only(await run(`UPDATE public.customers SET note = 'x' WHERE email = '${raw.emails[0]}'`));
    expect(r.status).toBe('refused');
    expectAbsent(r, [raw.emails[0]!]);
  });

  it('refuses transaction control, which would end the read-only transaction from inside', async () => {
    const r = only(await run('COMMIT; SELECT 1'));
    expect(r.status === 'refused' && r.refusal.rule).toBe('transaction-control');
  });

  it('runs multi-statement text statement by statement and stops at the first error', async () => {
    const r = await run(`SELECT 1 AS a; SELECT 1/0; SELECT 3`);
    expect(r.results.map((x) => x.status)).toEqual(['rows', 'error']);
    const err = r.results[1]!;
    expect(err.status === 'error' && err.error.sqlstate).toBe('22012');
    expect(err.status === 'error' && err.error.message).toMatch(/division by zero/);
  });

  it('maps server error positions into the submitted text', async () => {
    const text = `SELECT 1;\nSELECT nope FROM public.customers`;
    const r = await run(text);
    const err = r.results[1]!;
    if (err.status !== 'error') throw new Error('expected error');
    expect(err.error.sqlstate).toBe('42703');
    expect(text.slice(err.error.position!, err.error.position! + 4)).toBe('nope');
  });

  it('runs every statement read-only: a write hidden in a function fails upstream', async () => {
    const r = only(await run('SELECT public.sneaky_write()'));
    expect(r.status).toBe('error');
    if (r.status !== 'error') return;
    expect(r.error.sqlstate).toBe('25006');
    expect(r.error.message).toMatch(/read-only transaction/);
    const count = await su.query(`SELECT count(*)::int AS n FROM public.products WHERE sku = 'SNEAKY'`);
    expect(count.rows[0].n).toBe(0);
  });

  it('leaves nothing behind between runs (session SETs roll back)', async () => {
    await run(`SET datestyle = 'SQL, DMY'`);
    const r = rowsOf(only(await run('SHOW datestyle')));
    expect(r.rows[0]![0]!.v).toBe('ISO, MDY');
  });

  it('reports commands without rows as done', async () => {
    const r = only(await run(`SET work_mem = '8MB'`));
    expect(r).toMatchObject({ status: 'done', command: 'SET' });
  });

  it('pages results and stops at the row cap, saying so', async () => {
    const doc = parsePolicyYaml(`version: 1
roles:
  support:
    connections: ["prod-*"]
    limits: { maxRows: 1200, statementTimeoutMs: 10000 }
`);
    const previous = fx.policy.current();
    fx.policy.replace(doc);
    try {
      const first = rowsOf(only(await run('SELECT g FROM generate_series(1, 5000) g')));
      expect(first).toMatchObject({ hasMore: true, capped: false, rowCap: 1200, rowCount: 500 });
      const p2 = await fx.ok('sql.fetch', { queryId: first.queryId, maxRows: 500 });
      expect(p2).toMatchObject({ hasMore: true, capped: false, rowCount: 1000 });
      const p3 = await fx.ok('sql.fetch', { queryId: first.queryId, maxRows: 500 });
      expect(p3).toMatchObject({ hasMore: false, capped: true, rowCount: 1200 });
      expect(p3.rows).toHaveLength(200);
      expect(p3.rows[199]![0]!.v).toBe('1200');
      const gone = await fx.call('sql.fetch', { queryId: first.queryId });
      expect('error' in gone && gone.error.code).toBe('not_found');

      // Exactly the cap: not capped, no extra page.
      const exact = rowsOf(only(await run('SELECT g FROM generate_series(1, 500) g')));
      expect(exact).toMatchObject({ hasMore: false, capped: false, rowCount: 500 });
    } finally {
      fx.policy.replace(previous);
    }
  });

  it('keeps pages contiguous and exact with read-ahead, whatever page sizes follow', async () => {
    const first = rowsOf(only(await run('SELECT g, g::text || \'@example.com\' AS email FROM generate_series(1, 3000) g')));
    let next = 1;
    const check = (rows: { v: string | null; m?: string }[][]): void => {
      for (const row of rows) {
        expect(row[0]!.v).toBe(String(next++));
        // Read-ahead rows are raw until their page is masked, like any other.
        expect(row[1]!.m).toBeDefined();
      }
    };
    check(first.rows);
    for (const [maxRows, hasMore] of [[700, true], [100, true], [1200, true], [2000, false]] as const) {
      const p = await fx.ok('sql.fetch', { queryId: first.queryId, maxRows });
      check(p.rows);
      expect(p).toMatchObject({ hasMore, capped: false, rowCount: next - 1 });
    }
    expect(next - 1).toBe(3000);
    // Reading ahead does not keep a finished result open.
    const gone = await fx.call('sql.fetch', { queryId: first.queryId });
    expect('error' in gone && gone.error.code).toBe('not_found');
  });

  it('closes a result with a read-ahead FETCH in flight, and the session stays usable', async () => {
    // Rows after 560 take a second each: the read-ahead for rows 552-601 runs for ~40 s.
    const first = rowsOf(only(await run('SELECT g, CASE WHEN g > 560 THEN pg_sleep(1) END FROM generate_series(1, 20000) g')));
    const p = await fx.ok('sql.fetch', { queryId: first.queryId, maxRows: 50 });
    expect(p.hasMore).toBe(true);
    // The next FETCH is now on the server; cancelling closes the result without waiting for it.
    const started = performance.now();
    expect(await fx.ok('sql.cancel', { sessionId })).toEqual({ cancelled: true });
    expect(performance.now() - started).toBeLessThan(3_000);
    const gone = await fx.call('sql.fetch', { queryId: first.queryId });
    expect('error' in gone && gone.error.code).toBe('not_found');
    expect(rowsOf(only(await run('SELECT 42 AS answer'))).rows).toEqual([[{ v: '42' }]]);
  });

  it('a new run closes the previous result', async () => {
    const first = rowsOf(only(await run('SELECT g FROM generate_series(1, 5000) g')));
    await run('SELECT 1');
    const gone = await fx.call('sql.fetch', { queryId: first.queryId });
    expect('error' in gone && gone.error.code).toBe('not_found');
  });

  it('keeps masked history, newest first', async () => {
    await run(`SELECT * FROM public.customers WHERE email = '${raw.emails[1]}'`);
    const h = await fx.ok('sql.history', { connectionId: CONNECTION_ID, limit: 5 });
    expect(h[0]!.text).toContain("WHERE email = '");
    expect(h[0]!.outcome).toBe('rows');
    expectAbsent(h, [raw.emails[1]!]);
  });

  it('exports masked CSV, capped at the role limit', async () => {
    const r = await fx.ok('sql.exportCsv', { sessionId, text: 'SELECT id, email, ssn FROM public.customers ORDER BY id LIMIT 1500' });
    expect(r.rowCount).toBe(1500);
    expect(r.capped).toBe(false);
    const lines = r.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,email,ssn');
    expect(lines).toHaveLength(1501);
    expect(lines[1]).toMatch(/^1,[^,]*•[^,]*,•+$/);
    expectAbsent(r, [...raw.emails, ...raw.ssns]);
  });

  it('introspects schemas, relations, columns and row estimates', async () => {
    const s = await fx.ok('sql.schema', { connectionId: CONNECTION_ID });
    const names = s.schemas.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['public', 'billing']));
    expect(names).not.toContain('pg_catalog');
    const customers = s.schemas.find((x) => x.name === 'public')!.relations.find((r) => r.name === 'customers')!;
    expect(customers.kind).toBe('table');
    expect(customers.rowEstimate).toBe(10_000);
    expect(customers.columns[1]).toEqual({ name: 'full_name', type: 'text', nullable: false });
    const view = s.schemas.find((x) => x.name === 'public')!.relations.find((r) => r.name === 'open_tickets')!;
    expect(view).toMatchObject({ kind: 'view', rowEstimate: null });
  });

  it('refuses connections the role may not use, and sessions of another identity', async () => {
    fx.identity.switchTo('admin');
    try {
      const other = await fx.call('sql.run', { sessionId, text: 'SELECT 1' });
      expect('error' in other && other.error.code).toBe('not_found');
    } finally {
      fx.identity.switchTo('engineer');
    }
    // Switching identity closed the engineer's sessions: they belong to whoever opened them.
    const closed = await fx.call('sql.run', { sessionId, text: 'SELECT 1' });
    expect('error' in closed && closed.error.code).toBe('not_found');
    sessionId = (await fx.ok('sql.open', { connectionId: CONNECTION_ID })).sessionId;
    const doc = parsePolicyYaml(`version: 1
roles:
  support:
    connections: ["staging-*"]
`);
    const previous = fx.policy.current();
    fx.policy.replace(doc);
    try {
      const r = await fx.call('sql.open', { connectionId: CONNECTION_ID });
      expect('error' in r && r.error.code).toBe('forbidden');
    } finally {
      fx.policy.replace(previous);
    }
  });

  it('never returns the credential', () => {
    expect(fx.transcript.length).toBeGreaterThan(10);
    expectAbsent(fx.transcript, [server.password, server.superuserPassword]);
  });
});
