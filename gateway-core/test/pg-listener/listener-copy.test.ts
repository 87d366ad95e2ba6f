/**
 * COPY TO STDOUT through the local port with real psql 15 against a real PostgreSQL 15 seeded
 * with the demo data: rows masked by column (the support role's column rules, not only the
 * detectors), text and CSV formats byte-equal to the server's own output where nothing is masked,
 * and every COPY the port does not run refused with the reason while the session goes on.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeField } from '../../src/pg-listener/copy-codec.js';
import type { CopyFormat } from '../../src/pg-listener/copy-plan.js';
import type { PgListener } from '../../src/pg-listener/listener.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { openListener, PSQL, runPsql } from './listener-fixture.js';
import { spawn } from 'node:child_process';

const FULL = '\u2022'.repeat(6);

let server: PostgresServer;
let listener: PgListener;
let su: pg.Client;
let customers: { email: string; ssn: string; phone: string; dob: string }[];
let cards: string[];

beforeAll(async () => {
  server = await startPostgres({ seed: 'demo' });
  su = new pg.Client({ connectionString: server.superuserUrl });
  await su.connect();
  customers = (await su.query<{ email: string; ssn: string; phone: string; dob: string }>('SELECT email, ssn, phone, date_of_birth::text AS dob FROM public.customers ORDER BY id')).rows;
  cards = (await su.query<{ card_number: string }>('SELECT card_number FROM public.payment_cards')).rows.map((r) => r.card_number);
  await su.query(`CREATE TABLE public.copy_gen (id int, email text, shout text GENERATED ALWAYS AS (upper(email)) STORED, dob date);
    INSERT INTO public.copy_gen (id, email, dob) SELECT id, email, date_of_birth FROM public.customers ORDER BY id LIMIT 5;
    GRANT SELECT ON public.copy_gen TO ${server.user}`);
  listener = await openListener(server);
}, 120_000);

afterAll(async () => {
  await listener?.close();
  await su?.end();
  await server?.stop();
});

/** Every email-, SSN-, date- or card-shaped run in the output that is a raw value. */
function leaksIn(text: string): string[] {
  const raw = new Set([...customers.flatMap((c) => [c.email, c.ssn, c.dob]), ...cards]);
  const shaped = text.match(/[^\s;,"|]+@[^\s;,"|]+|\d{3}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2}|\d[\d -]{10,}\d/g) ?? [];
  return shaped.filter((s) => raw.has(s));
}

function expectNoLeak(text: string): void {
  const leaked = leaksIn(text);
  expect(leaked.slice(0, 3), `${leaked.length} raw values leaked`).toEqual([]);
}

/** psql straight to the server (no Gatehouse), for byte-for-byte comparisons. */
function psqlDirect(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PSQL, ['-X', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', server.database], {
      env: { PATH: process.env.PATH ?? '', PGPASSWORD: server.password, LC_ALL: 'C.UTF-8' },
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(out).toString('utf8')));
    child.stdin.end(script);
  });
}

/** A minimal CSV reader (RFC 4180 quoting, as COPY writes it by default). */
function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter || c === '\n') {
      row.push(field);
      field = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else field += c;
  }
  return rows;
}

describe('COPY TO STDOUT through the local port', () => {
  it('COPY customers TO STDOUT masks emails, SSNs, phones and dates of birth by column', async () => {
    const r = await runPsql(listener, 'COPY customers TO STDOUT;\n');
    expect(r.stderr).toBe('');
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows).toHaveLength(customers.length);
    expect(rows.every((f) => f.length === 11)).toBe(true);
    // Column rules: ssn and date_of_birth full, phone partial; emails by the detector.
    expect(new Set(rows.map((f) => f[8]))).toEqual(new Set([FULL]));
    expect(new Set(rows.map((f) => f[9]))).toEqual(new Set([FULL]));
    expect(rows.every((f) => f[3]!.startsWith('\u2022'))).toBe(true);
    expect(rows.every((f) => f[2]!.includes('\u2022'))).toBe(true);
    expectNoLeak(r.stdout);
    // The leak check finds every raw email, SSN and birth date in the server's own output.
    expect(leaksIn(await psqlDirect('COPY customers TO STDOUT;\n'))).toHaveLength(3 * customers.length);
  });

  it('\\copy (select …) to stdout resolves joined columns by table, not by name', async () => {
    const r = await runPsql(listener, '\\copy (select c.email, c.ssn AS a, c.date_of_birth AS b, pc.card_number AS c from public.customers c join public.payment_cards pc on pc.customer_id = c.id) to stdout\n');
    expect(r.stderr).toBe('');
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.length).toBe(cards.length);
    expect(new Set(rows.map((f) => f[1]))).toEqual(new Set([FULL]));
    expect(new Set(rows.map((f) => f[2]))).toEqual(new Set([FULL]));
    expectNoLeak(r.stdout);
  });

  it('CSV with HEADER, another delimiter and FORCE QUOTE is masked and stays valid CSV', async () => {
    const r = await runPsql(listener, "COPY (SELECT id, email, 'x;' || email AS tagged, ssn, date_of_birth FROM customers ORDER BY id LIMIT 50) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';', FORCE_QUOTE (email));\n");
    expect(r.stderr).toBe('');
    const rows = parseCsv(r.stdout, ';');
    expect(rows[0]).toEqual(['id', 'email', 'tagged', 'ssn', 'date_of_birth']);
    expect(rows).toHaveLength(51);
    for (const f of rows.slice(1)) {
      expect(f).toHaveLength(5);
      expect(f[2]!.startsWith('x;')).toBe(true);
      expect(f[3]).toBe(FULL);
      expect(f[4]).toBe(FULL);
    }
    expect(r.stdout.split('\n')[1]).toMatch(/^\d+;"/);
    expectNoLeak(r.stdout);
  });

  it('passes rows without sensitive values byte for byte as the server writes them', async () => {
    const q = (fmt: string) => `COPY (SELECT g, E'tab\\there\\\\back\\nline' || g AS t, NULL::text AS n, '' AS e, 'q"uote,' AS c FROM generate_series(1, 20) g) TO STDOUT ${fmt};\n`;
    for (const fmt of ['', "(FORMAT csv, HEADER)", "(DELIMITER '|', NULL 'nil')"]) {
      const via = await runPsql(listener, q(fmt));
      expect(via.stderr).toBe('');
      expect(via.stdout).toBe(await psqlDirect(q(fmt)));
    }
  });

  it('re-encodes a masked value exactly as PostgreSQL encodes that value', async () => {
    const values = ['plain', 'tab\there', 'line\nbreak', 'cr\rx', 'back\\slash', 'q"uote', "apo'strophe", 'comma,semi;pipe|', '\\.', '', 'NULL', 'bell\u0007\b\f\v', 'é€😀'];
    const literal = (v: string) => `E'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
    const select = `SELECT x FROM (VALUES ${values.map((v, i) => `(${i}, ${literal(v)})`).join(', ')}) v(i, x) ORDER BY i`;
    const formats: [string, CopyFormat][] = [
      ['', { csv: false, header: false, delimiter: 9, quote: 0x22, escape: 0x22, nullText: '\\N' }],
      ["(DELIMITER '|')", { csv: false, header: false, delimiter: 0x7c, quote: 0x22, escape: 0x22, nullText: '\\N' }],
      ["(FORMAT csv, NULL 'NULL')", { csv: true, header: false, delimiter: 0x2c, quote: 0x22, escape: 0x22, nullText: 'NULL' }],
      ["(FORMAT csv, QUOTE '''', ESCAPE '\\', DELIMITER ';')", { csv: true, header: false, delimiter: 0x3b, quote: 0x27, escape: 0x5c, nullText: '' }],
    ];
    for (const [options, f] of formats) {
      const direct = await psqlDirect(`COPY (${select}) TO STDOUT ${options};\n`);
      const ours = values.map((v) => `${encodeField(v, f, false, true)}\n`).join('');
      expect(ours, options).toBe(direct);
    }
  });

  it('leaves generated columns out of COPY table, as PostgreSQL does', async () => {
    const r = await runPsql(listener, 'COPY copy_gen TO STDOUT;\nCOPY copy_gen (dob, id) TO STDOUT (FORMAT csv);\n');
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]!.split('\t')).toHaveLength(3);
    // dob is a column of another table here: no column rule, and no detector takes a bare date;
    // the rules follow the table a value comes from, not the column's name.
    expect(lines[5]).toMatch(/^\d{4}-\d{2}-\d{2},1$/);
    expect(lines.slice(0, 5).every((l) => l.split('\t')[1]!.includes('\u2022'))).toBe(true);
    expect(customers.some((c) => r.stdout.includes(c.email))).toBe(false);
  });

  it('refuses BINARY with the reason, and the session goes on', async () => {
    const r = await runPsql(listener, 'COPY customers TO STDOUT (FORMAT binary);\nSELECT 40 + 2 AS answer;\n');
    expect(r.stderr).toMatch(/ERROR: {2}Gatehouse refused this statement: COPY in BINARY format is not available through Gatehouse: values are masked as text/);
    expect(r.stdout).toMatch(/answer\s*\n-+\s*\n\s*42/);
  });

  it('refuses COPY FROM STDIN, PROGRAM and server files; the session goes on', async () => {
    const r = await runPsql(listener, [
      'COPY customers FROM STDIN;',
      "COPY customers TO PROGRAM 'cat > /tmp/gatehouse-copy-leak';",
      "COPY customers TO '/tmp/gatehouse-copy-leak';",
      'SELECT 6 * 7 AS answer;',
      '',
    ].join('\n'));
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('ERROR:'));
    expect(errors, r.stderr).toHaveLength(3);
    expect(errors[0]).toMatch(/COPY FROM is not available through the Gatehouse local port/);
    expect(errors[1]).toMatch(/dangerous denied: COPY TO PROGRAM runs a shell command/);
    expect(errors[2]).toMatch(/dangerous denied: COPY TO a server file/);
    expect(r.stdout).toMatch(/answer\s*\n-+\s*\n\s*42/);
  });

  it('answers an unknown table with the server\'s error and works inside transactions', async () => {
    const r = await runPsql(listener, 'COPY nope TO STDOUT;\nBEGIN;\nSELECT 1/0;\nCOPY customers TO STDOUT;\nROLLBACK;\nBEGIN;\nCOPY (SELECT ssn FROM customers LIMIT 2) TO STDOUT;\nCOMMIT;\n');
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('ERROR:'));
    expect(errors[0]).toMatch(/relation "nope" does not exist/);
    expect(errors[1]).toMatch(/division by zero/);
    expect(errors[2]).toMatch(/current transaction is aborted/);
    expect(r.stdout.trimEnd().split('\n').slice(-3)).toEqual([FULL, FULL, 'COMMIT']);
  });

  it('refuses COPY in the extended protocol and beside other statements; the connection stays usable', async () => {
    const c = new pg.Client({ host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database });
    await c.connect();
    try {
      await expect(c.query({ name: 'cp', text: 'COPY customers TO STDOUT' })).rejects.toMatchObject({ code: '0A000' });
      // psql splits statements itself; a driver's simple query may carry several in one message.
      await expect(c.query('COPY customers TO STDOUT; SELECT 1')).rejects.toThrow(/COPY must be sent alone/);
      const ok = await c.query('SELECT 1 AS one');
      expect(ok.rows[0].one).toBe(1);
    } finally {
      await c.end();
    }
  });
});
