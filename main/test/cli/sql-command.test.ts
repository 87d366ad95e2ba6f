// `gatehouse sql <connection> -c "..."` against a real PostgreSQL 15 seeded with the demo data:
// masking in the output, the guard's refusal on stderr, a dead server in plain words, and the
// password (given only through the environment) never printed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { gatehouse, type CliResult } from './run-cli.js';

const PASSWORD_VAR = 'GH_CLI_TEST_PG_PASSWORD';
const SELECT_PII = 'SELECT c.id, c.email, pc.card_number FROM public.customers c JOIN public.payment_cards pc ON pc.customer_id = c.id ORDER BY c.id LIMIT 10';

let server: PostgresServer;
let dir: string;
let config: string;
let raw: { emails: string[]; cards: string[] };
const results: CliResult[] = [];

/** Runs `gatehouse sql` with the password in the child's environment only; keeps every result for the leak check. */
async function sql(connection: string, statement: string, ...extra: string[]): Promise<CliResult> {
  const r = await gatehouse(['sql', connection, '-c', statement, '--config', config, ...extra], { [PASSWORD_VAR]: server.password });
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
  server = await startPostgres({ seed: 'demo' });
  const su = new pg.Client({ connectionString: server.superuserUrl });
  await su.connect();
  try {
    const c = await su.query<{ email: string; card_number: string }>(SELECT_PII.replace('c.id, c.email, pc.card_number', 'c.email, pc.card_number'));
    raw = { emails: c.rows.map((r) => r.email), cards: c.rows.map((r) => r.card_number) };
  } finally {
    await su.end();
  }
  dir = await mkdtemp(join(tmpdir(), 'gh-cli-sql-'));
  config = join(dir, 'connections.yaml');
  const entry = (id: string, port: number): string =>
    `  - { id: ${id}, name: ${id}, type: postgres, host: 127.0.0.1, port: ${port}, database: ${server.database}, user: ${server.user}, secret: "env:${PASSWORD_VAR}", tls: { mode: disable } }\n`;
  await writeFile(config, `connections:\n${entry('prod-db', server.port)}${entry('prod-dead', await closedPort())}`);
});

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gatehouse sql on PostgreSQL 15', () => {
  it('prints rows with emails and card numbers masked', async () => {
    const r = await sql('prod-db', SELECT_PII);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('id\temail\tcard_number');
    expect(lines.at(-1)).toBe('(10 rows)');
    for (const line of lines.slice(1, -1)) {
      const [, email, card] = line.split('\t');
      expect(email).toMatch(/^.•••@•••\./);
      expect(card).toMatch(/^•+\d{4}$/);
    }
    expect(raw.emails).toHaveLength(10);
    for (const value of [...raw.emails, ...raw.cards]) expect(r.stdout).not.toContain(value);
  });

  it('prints JSON with the masking named per cell', async () => {
    const r = await sql('prod-db', SELECT_PII, '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { results: Array<{ status: string; rows: Array<Array<{ v: string; m?: string }>> }>; notices: string[] };
    expect(out.results).toHaveLength(1);
    expect(out.results[0]?.status).toBe('rows');
    const rows = out.results[0]?.rows ?? [];
    expect(rows).toHaveLength(10);
    for (const [id, email, card] of rows) {
      expect(id?.m).toBeUndefined();
      expect(email?.m).toBe('email');
      expect(card?.m).toBe('partial');
    }
    for (const value of [...raw.emails, ...raw.cards]) expect(r.stdout).not.toContain(value);
  });

  it('refuses DROP TABLE with a non-zero exit and the reason on stderr; the table survives', async () => {
    const r = await sql('prod-db', 'DROP TABLE public.customers');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^gatehouse sql: refused \(deny, class dangerous, rule destructive-ddl\) at 0-\d+: .*DROP TABLE destroys objects/m);
    const after = await sql('prod-db', 'SELECT count(*) AS n FROM public.customers');
    expect(after.status).toBe(0);
    expect(after.stdout).toMatch(/^n\n[1-9]\d*\n\(1 row\)/);
  });

  it('reports a database error with its SQLSTATE', async () => {
    const r = await sql('prod-db', 'SELECT no_such_column FROM public.customers');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\[42703\] column "no_such_column" does not exist/);
  });

  it('says in plain words that a stopped server cannot be reached, with a non-zero exit', async () => {
    const r = await sql('prod-dead', 'SELECT 1');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^gatehouse sql: /);
    expect(r.stderr).toMatch(/Cannot connect to prod-dead \(127\.0\.0\.1:\d+\): the connection was refused \(is the server running/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names a connection the file does not have', async () => {
    const r = await sql('prod-nope', 'SELECT 1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gatehouse sql: No connection "prod-nope"$/m);
  });

  it('never prints the password', () => {
    expect(results.length).toBeGreaterThanOrEqual(6);
    for (const r of results) {
      expect(r.stdout).not.toContain(server.password);
      expect(r.stderr).not.toContain(server.password);
    }
  });
});
