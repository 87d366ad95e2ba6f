/**
 * Connection failures in plain words, with the credential nowhere in them; and upstream error
 * fields (a unique violation's DETAIL echoes the value) masked before they leave.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMasker } from '../../src/masking/index.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import { maskServerError } from '../../src/postgres/result-masking.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { CONNECTION_ID, createFixture, expectAbsent, pgConnection } from './broker-fixture.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ seed: 'none' });
});

afterAll(async () => {
  await server?.stop();
});

async function openError(overrides: Parameters<typeof pgConnection>[1], secret = server.password): Promise<{ code: string; message: string; transcript: unknown[] }> {
  const fx = createFixture({ connections: [pgConnection(server, overrides)], secrets: { [CONNECTION_ID]: secret } });
  try {
    const r = await fx.call('sql.open', { connectionId: CONNECTION_ID });
    if (!('error' in r)) throw new Error('expected sql.open to fail');
    return { ...r.error, transcript: fx.transcript };
  } finally {
    await fx.gateway.close();
  }
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('connection errors', () => {
  it('refused port', async () => {
    const e = await openError({ port: await closedPort() });
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(/connection was refused/);
  });

  it('wrong password: plain words, and neither password appears', async () => {
    const wrong = 'Wr0ng-Pa55word-zz9';
    const e = await openError({}, wrong);
    expect(e.message).toMatch(/password authentication failed for user "gatehouse_app"/);
    expectAbsent(e.transcript, [wrong, server.password]);
  });

  it('unknown database', async () => {
    const e = await openError({ database: 'nope' });
    expect(e.message).toMatch(/database "nope" does not exist/);
  });

  it('TLS required by the connection, not offered by the server', async () => {
    const e = await openError({ tls: { mode: 'require' } } as never);
    expect(e.message).toMatch(/does not accept TLS|TLS/);
  });

  it('host not found', async () => {
    const e = await openError({ host: 'no-such-host.invalid' });
    expect(e.message).toMatch(/not found|could not be reached|timed out/);
  });

  it('timeout: a port that accepts but never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const e = await openError({ port: (silent.address() as { port: number }).port });
      expect(e.message).toMatch(/timed out/);
    } finally {
      silent.close();
    }
  }, 20_000);
});

describe('upstream error fields are masked', () => {
  it('a real unique violation: DETAIL echoes the email, masked before it leaves', async () => {
    const su = new pg.Client({ connectionString: server.superuserUrl });
    await su.connect();
    const email = 'jane.roe.unique@example.com';
    let err: unknown;
    try {
      await su.query('CREATE TEMP TABLE u (email text UNIQUE)');
      await su.query('INSERT INTO u VALUES ($1)', [email]);
      await su.query('INSERT INTO u VALUES ($1)', [email]);
    } catch (e) {
      err = e;
    } finally {
      await su.end();
    }
    expect((err as { detail?: string }).detail).toContain(email);
    const masker = createMasker(loadPolicyFile().roles['support']!.masking);
    const masked = maskServerError(masker, err, () => undefined);
    expect(masked.sqlstate).toBe('23505');
    expect(masked.message).toMatch(/duplicate key/);
    expect(masked.detail).toMatch(/Key \(email\)=\(.*•.*\) already exists/);
    expectAbsent(masked, [email]);
  });
});
