/**
 * The local PG port at the message level: SSL/GSSENC answers, an extended-protocol pipeline with a
 * refusal in the middle (discard until Sync), binary result requests, masked errors and
 * notifications, and psql's Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNotice, decodeRowDescription } from '../../src/pg-listener/backend-messages.js';
import { FrameReader, type Frame } from '../../src/pg-listener/frame-reader.js';
import * as fe from '../../src/pg-listener/frontend-encode.js';
import { GSSENC_REQUEST_CODE, SSL_REQUEST_CODE } from '../../src/pg-listener/frontend-messages.js';
import type { PgListener } from '../../src/pg-listener/listener.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { codePacket, startupPacket } from './frontend-streams.js';
import { CONNECTION_ID, listenerConfig, openListener, PSQL } from './listener-fixture.js';
import { startPgListener } from '../../src/pg-listener/listener.js';
import type { Masker } from '../../src/masking/index.js';

let server: PostgresServer;
let listener: PgListener;
let su: pg.Client;
let email: string;

beforeAll(async () => {
  server = await startPostgres({ seed: 'demo' });
  su = new pg.Client({ connectionString: server.superuserUrl });
  await su.connect();
  email = (await su.query<{ email: string }>('SELECT email FROM public.customers ORDER BY id LIMIT 1')).rows[0]!.email;
  listener = await openListener(server);
}, 120_000);

afterAll(async () => {
  await listener?.close();
  await su?.end();
  await server?.stop();
});

function options(extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig {
  return { host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database, ...extra };
}

/** A pg client's socket after authentication, read as raw frames. */
async function rawSession(): Promise<{ send(b: Buffer): void; until(type: string): Promise<Frame[]>; close(): Promise<void> }> {
  const c = new pg.Client(options());
  c.on('error', () => undefined);
  await c.connect();
  const stream = (c as unknown as { connection: { stream: Socket } }).connection.stream;
  stream.removeAllListeners('data');
  const reader = new FrameReader();
  const frames: Frame[] = [];
  let wake: () => void = () => undefined;
  stream.on('data', (chunk: Buffer) => {
    frames.push(...reader.push(chunk));
    wake();
  });
  return {
    send: (b) => stream.write(b),
    until: async (type) => {
      for (;;) {
        const i = frames.findIndex((f) => f.type === type);
        if (i >= 0) return frames.splice(0, i + 1);
        await new Promise<void>((r) => (wake = r));
      }
    },
    close: async () => {
      stream.destroy();
      await c.end().catch(() => undefined);
    },
  };
}

describe('local PG port, message level', () => {
  it('answers GSSENCRequest and SSLRequest with N, then asks for SCRAM-SHA-256', async () => {
    const got = await new Promise<Buffer>((resolve, reject) => {
      const s = connect({ host: listener.host, port: listener.port }, () => {
        s.write(codePacket(GSSENC_REQUEST_CODE));
        s.write(codePacket(SSL_REQUEST_CODE));
        s.write(startupPacket({ user: listener.user, database: listener.database }));
      });
      let all = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        all = Buffer.concat([all, d]);
        if (all.length >= 2 + 24) {
          s.destroy();
          resolve(all);
        }
      });
      s.on('error', reject);
    });
    expect(got.subarray(0, 2).toString()).toBe('NN');
    expect(got[2]).toBe(0x52);
    expect(got.readInt32BE(7)).toBe(10);
    expect(got.subarray(11).toString()).toContain('SCRAM-SHA-256');
  });

  it('discards a pipeline after a refused Parse until Sync, then continues', async () => {
    const s = await rawSession();
    try {
      s.send(
        Buffer.concat([
          fe.encodeParse('', 'SELECT email FROM public.customers ORDER BY id LIMIT 1', []),
          fe.encodeBind('', '', [], [], [1]),
          fe.encodeDescribe('P', ''),
          fe.encodeExecute('', 0),
          fe.encodeParse('bad', 'DROP TABLE public.customers', []),
          fe.encodeBind('', 'bad', [], [], []),
          fe.encodeExecute('', 0),
          fe.SYNC,
        ]),
      );
      const first = await s.until('Z');
      expect(first.map((f) => f.type).join('')).toBe('12TDCEZ');
      const desc = decodeRowDescription(first[2]!.payload);
      expect(desc[0]!.format).toBe(0);
      const row = first[3]!.payload.toString('utf8');
      expect(row).toContain('\u2022');
      expect(row).not.toContain(email);
      const err = decodeNotice(first[5]!.payload);
      expect(err.get('C')).toBe('42501');
      expect(err.get('M')).toMatch(/Gatehouse refused this statement/);
      expect(first[6]!.payload.toString()).toBe('I');
      s.send(Buffer.concat([fe.encodeParse('', 'SELECT 1', []), fe.encodeBind('', '', [], [], []), fe.encodeExecute('', 0), fe.SYNC]));
      expect((await s.until('Z')).map((f) => f.type).join('')).toBe('12DCZ');
    } finally {
      await s.close();
    }
  });

  it('refuses FunctionCall and keeps the session', async () => {
    const s = await rawSession();
    try {
      const call = Buffer.alloc(4 + 2 + 2 + 2);
      call.writeUInt32BE(1299, 0); // now()
      const fc = Buffer.concat([Buffer.from('F'), Buffer.alloc(4), call]);
      fc.writeInt32BE(fc.length - 1, 1);
      s.send(fc);
      const got = await s.until('Z');
      expect(got.map((f) => f.type).join('')).toBe('EZ');
      expect(decodeNotice(got[0]!.payload).get('C')).toBe('42501');
      s.send(fe.encodeQuery('SELECT 1'));
      expect((await s.until('Z')).map((f) => f.type).join('')).toBe('TDCZ');
    } finally {
      await s.close();
    }
  });

  it('returns masked text to a client that asks for binary results', async () => {
    // pg's types omit its `binary` option (binary result formats in Bind).
    const c = new pg.Client({ ...options(), binary: true } as pg.ClientConfig);
    await c.connect();
    try {
      const r = await c.query('SELECT email, id FROM public.customers WHERE id = $1', [1]);
      expect(r.rows[0].email).toContain('\u2022');
      expect(r.rows[0].email).not.toBe(email);
      expect(Number(r.rows[0].id)).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('masks error fields and notification payloads', async () => {
    const c = new pg.Client(options());
    await c.connect();
    try {
      const e = await c.query(`SELECT '${email}'::int`).catch((err: unknown) => err as pg.DatabaseError);
      expect((e as pg.DatabaseError).code).toBe('22P02');
      expect((e as pg.DatabaseError).message).not.toContain(email);
      expect((e as pg.DatabaseError).message).toContain('\u2022');
      await c.query('LISTEN gatehouse_test');
      const got = new Promise<pg.Notification>((resolve) => c.on('notification', resolve));
      await su.query(`NOTIFY gatehouse_test, '${email}'`);
      const n = await got;
      expect(n.payload).not.toContain(email);
      expect(n.payload).toContain('\u2022');
    } finally {
      await c.end();
    }
  });

  it('cancels a running query when psql gets Ctrl-C (SIGINT)', async () => {
    const started = Date.now();
    const r = await new Promise<{ stderr: string; code: number | null }>((resolve, reject) => {
      const child = spawn(PSQL, ['-X', '-h', listener.host, '-p', String(listener.port), '-U', listener.user, '-d', listener.database, '-c', 'SELECT pg_sleep(30)'], {
        env: { PATH: process.env.PATH ?? '', PGPASSWORD: listener.password, LC_ALL: 'C.UTF-8' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ stderr, code }));
      setTimeout(() => child.kill('SIGINT'), 1_000);
    });
    expect(r.stderr).toMatch(/canceling statement due to user request/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses a replication startup with a FATAL error that says so', async () => {
    const got = await new Promise<Buffer>((resolve, reject) => {
      const s = connect({ host: listener.host, port: listener.port }, () => s.write(startupPacket({ user: listener.user, database: listener.database, replication: 'database' })));
      let all = Buffer.alloc(0);
      s.on('data', (d: Buffer) => (all = Buffer.concat([all, d])));
      s.on('close', () => resolve(all));
      s.on('error', reject);
    });
    expect(String.fromCharCode(got[0]!)).toBe('E');
    const fields = decodeNotice(got.subarray(5));
    expect(fields.get('S')).toBe('FATAL');
    expect(fields.get('M')).toMatch(/replication/);
  });

  it('on a masking failure the client gets an error, not the row', async () => {
    const failing = {
      cellPlan: () => ({ rule: undefined, opts: undefined }),
      maskCellOut: () => {
        throw new Error('detector exploded');
      },
      maskText: (text: string) => ({ text, hits: [] }),
    } as unknown as Masker;
    const broken = await startPgListener({
      config: listenerConfig(server),
      secrets: { resolve: async () => server.password },
      identityId: 'engineer',
      policy: () => ({ sql: { read: 'allow', write: 'approve', dangerous: 'deny' }, masker: failing, statementTimeoutMs: 10_000 }),
    });
    try {
      const c = new pg.Client({ host: broken.host, port: broken.port, user: broken.user, password: broken.password, database: CONNECTION_ID });
      c.on('error', () => undefined);
      await c.connect();
      const e = await c.query('SELECT email FROM public.customers ORDER BY id LIMIT 1').then(
        (r) => JSON.stringify(r.rows),
        (err: Error) => err.message,
      );
      expect(e).toMatch(/could not mask a result row/);
      expect(e).not.toContain(email);
      await c.end().catch(() => undefined);
    } finally {
      await broken.close();
    }
  });
});
