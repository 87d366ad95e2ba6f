/**
 * The local PostgreSQL port with real clients (psql 15 and node-postgres) against a real
 * PostgreSQL 15 seeded with the demo data: masking, refusals, \d, extended protocol, cancel.
 */
import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgListener } from '../../src/pg-listener/listener.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { openListener, runPsql } from './listener-fixture.js';

let server: PostgresServer;
let listener: PgListener;
let su: pg.Client;
let raw: { emails: string[]; cards: string[]; ssns: string[] };

beforeAll(async () => {
  server = await startPostgres({ seed: 'demo' });
  su = new pg.Client({ connectionString: server.superuserUrl });
  await su.connect();
  const c = await su.query<{ email: string; ssn: string }>('SELECT email, ssn FROM public.customers ORDER BY id LIMIT 10');
  const k = await su.query<{ card_number: string }>('SELECT card_number FROM public.payment_cards ORDER BY id LIMIT 10');
  raw = { emails: c.rows.map((r) => r.email), ssns: c.rows.map((r) => r.ssn), cards: k.rows.map((r) => r.card_number) };
  listener = await openListener(server);
}, 120_000);

afterAll(async () => {
  await listener?.close();
  await su?.end();
  await server?.stop();
});

function expectNone(text: string, needles: readonly string[]): void {
  for (const n of needles) expect(text.includes(n), `raw value ${n.slice(0, 4)}… leaked`).toBe(false);
}

function sendCancel(l: PgListener, processId: number, secretKey: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: l.host, port: l.port }, () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4);
      b.writeInt32BE(processId, 8);
      b.writeInt32BE(secretKey, 12);
      s.end(b);
    });
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database });
  await c.connect();
  return c;
}

describe('local PG port with psql', () => {
  it('shows masked emails, cards and SSNs', async () => {
    const r = await runPsql(listener, 'SELECT c.email, c.ssn, pc.card_number FROM public.customers c JOIN public.payment_cards pc ON pc.customer_id = c.id ORDER BY c.id LIMIT 10;\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(10 rows\)/);
    expect(r.stdout).toContain('\u2022');
    expectNone(r.stdout, [...raw.emails, ...raw.ssns, ...raw.cards]);
  });

  it('prints the refusal of a DROP and the session continues', async () => {
    const r = await runPsql(listener, 'DROP TABLE public.customers;\nSELECT 41 + 1 AS answer;\n');
    expect(r.stderr).toMatch(/ERROR: {2}Gatehouse refused this statement/);
    expect(r.stdout).toMatch(/answer\s*\n-+\s*\n\s*42/);
    const still = await su.query('SELECT count(*)::int AS n FROM public.customers');
    expect(still.rows[0].n).toBeGreaterThan(0);
  });

  it('runs \\d and \\d <table>', async () => {
    const r = await runPsql(listener, '\\d\n\\d public.customers\n');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/customers/);
    expect(r.stdout).toMatch(/email/);
  });

  it('refuses a wrong password and an options parameter', async () => {
    const bad = await runPsql({ ...listener, password: 'wrong' } as PgListener, 'SELECT 1;\n');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/password authentication failed/);
    const opts = await new Promise<string>((resolve) => {
      const c = new pg.Client({ host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database, options: '-c default_transaction_read_only=off' });
      c.connect().then(
        () => resolve('connected'),
        (e: Error) => resolve(e.message),
      );
    });
    expect(opts).toMatch(/options/);
  });
});

describe('local PG port with node-postgres', () => {
  it('masks a parameterised query (extended protocol) and reuses a prepared statement', async () => {
    const c = await client();
    try {
      const q = { name: 'by-id', text: 'SELECT c.email, pc.card_number FROM public.customers c JOIN public.payment_cards pc ON pc.customer_id = c.id WHERE c.id = $1' };
      const first = await c.query({ ...q, values: [1] });
      const second = await c.query({ ...q, values: [2] });
      const text = JSON.stringify([first.rows, second.rows]);
      expect(first.rows.length + second.rows.length).toBeGreaterThan(0);
      expectNone(text, [...raw.emails, ...raw.cards]);
      expect(text).toContain('\u2022');
      const p = await c.query('SELECT $1::int + 1 AS n', [41]);
      expect(p.rows[0].n).toBe(42);
    } finally {
      await c.end();
    }
  });

  it('refuses a write mid-transaction; ROLLBACK works and the connection stays usable', async () => {
    const c = await client();
    try {
      await c.query('BEGIN');
      await c.query('SELECT 1');
      await expect(c.query("DELETE FROM public.customers WHERE email = 'x@example.com'")).rejects.toMatchObject({ code: '42501' });
      await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await c.query('ROLLBACK');
      const r = await c.query('SELECT 2 AS two');
      expect(r.rows[0].two).toBe(2);
      await expect(c.query('DROP TABLE public.customers', [])).rejects.toMatchObject({ code: '42501' });
      const after = await c.query('SELECT $1::text AS t', ['ok']);
      expect(after.rows[0].t).toBe('ok');
    } finally {
      await c.end();
    }
  });

  it('keeps standard_conforming_strings on, so the server reads strings as the guard does', async () => {
    const c = await client();
    try {
      await expect(c.query('SET standard_conforming_strings = off')).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/standard_conforming_strings/) });
      await expect(c.query('RESET standard_conforming_strings')).rejects.toMatchObject({ code: '42501' });
      await c.query('SET standard_conforming_strings = on');
      // With the setting off this would be two statements to the server (set_config runs) but one
      // SELECT to the guard; with it on, it is one SELECT of two strings for both.
      const r = await c.query<unknown[]>({ text: "SELECT 'a\\' , ' ; SELECT set_config($$search_path$$, $$evil$$, false) ; -- '", rowMode: 'array' });
      expect(r.rows[0]).toHaveLength(2);
      expect((await c.query('SHOW search_path')).rows[0].search_path).not.toMatch(/evil/);
    } finally {
      await c.end();
    }
  });

  it('forwards a CancelRequest with the upstream key', async () => {
    const c = await client();
    try {
      const started = Date.now();
      const running = c.query('SELECT pg_sleep(30)');
      await new Promise((r) => setTimeout(r, 300));
      // The key the client got is Gatehouse's own, not the upstream's.
      const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
      const upstreamPids = await su.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid = $1', [processID]);
      expect(upstreamPids.rows).toHaveLength(0);
      await sendCancel(listener, processID, secretKey);
      await expect(running).rejects.toMatchObject({ code: '57014' });
      expect(Date.now() - started).toBeLessThan(10_000);
      const r = await c.query('SELECT 3 AS three');
      expect(r.rows[0].three).toBe(3);
    } finally {
      await c.end();
    }
  });
});
