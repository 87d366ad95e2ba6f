// `gatehouse connect <connection>`: a local PostgreSQL port in front of a real PostgreSQL 15,
// reached with node-postgres using the one-time password the command prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { CLI } from '../../../e2e/support/demo-process.js';

let server: PostgresServer;
let dir: string;
let child: ChildProcess;
let printed = '';

beforeAll(async () => {
  server = await startPostgres({ seed: 'demo' });
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-connect-'));
  const config = join(dir, 'connections.yaml');
  writeFileSync(
    config,
    `connections:\n  - { id: prod-db, name: prod-db, type: postgres, host: 127.0.0.1, port: ${server.port}, database: ${server.database}, user: ${server.user}, secret: "env:GH_CONNECT_PW", tls: { mode: disable } }\n`,
  );
  child = spawn(process.execPath, [CLI, 'connect', 'prod-db', '--config', config, '--data-dir', join(dir, 'data')], { env: { ...process.env, GATEHOUSE_CONFIG: '', GH_CONNECT_PW: server.password }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (printed += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (printed += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!/password:\s+\S+/.test(printed)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gatehouse connect did not print its port:\n${printed}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 90_000);

afterAll(async () => {
  child?.kill('SIGINT');
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('gatehouse connect', () => {
  it('prints a local port and one-time password, never the real credential', () => {
    expect(printed).toMatch(/host:\s+127\.0\.0\.1/);
    expect(printed).toMatch(/port:\s+\d+/);
    expect(printed).not.toContain(server.password);
  });

  it('serves guarded, masked queries to a client that logs in with them', async () => {
    const port = Number(/port:\s+(\d+)/.exec(printed)![1]);
    const user = /user:\s+(\S+)/.exec(printed)![1]!;
    const password = /password:\s+(\S+)/.exec(printed)![1]!;
    const database = /database:\s+(\S+)/.exec(printed)![1]!;
    const client = new pg.Client({ host: '127.0.0.1', port, user, password, database });
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
});
