/**
 * Fuzzing the frontend parser (random and mutated streams, random chunking) and the listener
 * (hostile connections, before and after authentication) while a good client keeps working.
 */
import { connect, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/pg-listener/frame-reader.js';
import { FrontendParser } from '../../src/pg-listener/frontend-messages.js';
import type { PgListener } from '../../src/pg-listener/listener.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { startupPacket, validStream } from './frontend-streams.js';
import { openListener } from './listener-fixture.js';

/** mulberry32: a small seeded PRNG, so that a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(base: Buffer, r: () => number): Buffer {
  const out = Buffer.from(base);
  const edits = 1 + Math.floor(r() * 6);
  let buf = out;
  for (let i = 0; i < edits; i++) {
    const pos = Math.floor(r() * buf.length);
    switch (Math.floor(r() * 5)) {
      case 0: // flip a byte
        buf[pos] = Math.floor(r() * 256);
        break;
      case 1: // a huge or negative length somewhere
        if (pos + 4 <= buf.length) buf.writeInt32BE([0x7fffffff, -1, 0, 3, 0x4000000][Math.floor(r() * 5)]!, pos);
        break;
      case 2: // truncate
        buf = buf.subarray(0, pos);
        break;
      case 3: // insert random bytes
        buf = Buffer.concat([buf.subarray(0, pos), Buffer.from(Array.from({ length: 1 + Math.floor(r() * 16) }, () => Math.floor(r() * 256))), buf.subarray(pos)]);
        break;
      default: // unknown type byte
        buf[pos] = [0x00, 0x7f, 0x3f, 0xff][Math.floor(r() * 4)]!;
    }
  }
  return buf;
}

function randomBytesFrom(r: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
}

const LIMIT = 4096;

/** Feeds a stream in random chunks; the parser may only return messages or throw ProtocolError. */
function feed(stream: Buffer, r: () => number): 'ok' | 'error' {
  const p = new FrontendParser({ maxMessageBytes: LIMIT });
  let off = 0;
  while (off < stream.length) {
    const n = 1 + Math.floor(r() * 200);
    try {
      p.push(stream.subarray(off, off + n));
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      expect(() => p.push(Buffer.from([0]))).toThrow(ProtocolError);
      return 'error';
    }
    // Never more than one frame's limit plus one chunk held.
    expect(p.bufferedBytes).toBeLessThanOrEqual(LIMIT + 1 + 200);
    off += n;
  }
  return 'ok';
}

describe('frontend parser fuzz', () => {
  it('ends every random or mutated stream with messages or a clean ProtocolError', () => {
    const base = validStream();
    const outcomes = { ok: 0, error: 0 };
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      const stream = seed % 3 === 0 ? randomBytesFrom(r, Math.floor(r() * 512)) : mutate(base, r);
      try {
        outcomes[feed(stream, r)]++;
      } catch (err) {
        throw new Error(`seed ${seed}: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
    expect(outcomes.error).toBeGreaterThan(1000);
    expect(outcomes.ok).toBeGreaterThan(0);
  });
});

describe('listener fuzz with a good client connected', () => {
  let server: PostgresServer;
  let listener: PgListener;

  beforeAll(async () => {
    server = await startPostgres({ seed: 'demo' });
    listener = await openListener(server, { maxMessageBytes: 1024 * 1024 });
  }, 120_000);

  afterAll(async () => {
    await listener?.close();
    await server?.stop();
  });

  function hostile(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      const s: Socket = connect({ host: listener.host, port: listener.port }, () => s.write(bytes));
      s.on('data', () => undefined);
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      setTimeout(() => s.destroy(), 1_500).unref();
    });
  }

  it('closes hostile connections only; the good client is unaffected and memory stays bounded', async () => {
    const good = new pg.Client({ host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database });
    await good.connect();
    const heapBefore = process.memoryUsage().heapUsed;
    let stop = false;
    let goodQueries = 0;
    const loop = (async () => {
      while (!stop) {
        const r = await good.query('SELECT $1::int AS n, email FROM public.customers ORDER BY id LIMIT 1', [goodQueries]);
        expect(r.rows[0].n).toBe(goodQueries);
        expect(r.rows[0].email).toContain('\u2022');
        goodQueries++;
      }
    })();
    const base = Buffer.concat([startupPacket({ user: listener.user, database: listener.database }), validStream().subarray(validStream().indexOf('p'))]);
    for (let round = 0; round < 6; round++) {
      const batch: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) {
        const r = rng(round * 100 + i + 7);
        const kind = i % 4;
        const bytes =
          kind === 0 ? randomBytesFrom(r, 1 + Math.floor(r() * 300))
          : kind === 1 ? mutate(base, r)
          : kind === 2 ? Buffer.concat([startupPacket({ user: 'x' }), Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff])])
          : Buffer.from([0, 0, 0x27, 0x10, 0, 3, 0, 0]); // a startup packet announced at 10000 bytes, never sent
        batch.push(hostile(bytes));
      }
      // An authenticated client that then sends garbage.
      const evil = new pg.Client({ host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database });
      evil.on('error', () => undefined);
      await evil.connect();
      const closed = new Promise<void>((resolve) => evil.on('end', () => resolve()));
      const evilSocket = (evil as unknown as { connection: { stream: Socket } }).connection.stream;
      // A mutated Query may announce more bytes than follow; the listener then waits for them,
      // so the evil client gives up after a while (as a hostile peer would) if not closed first.
      evilSocket.write(mutate(Buffer.from([0x51, 0, 0, 0, 13, 0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x31, 0]), rng(round)));
      evilSocket.write(Buffer.from([0x3f, 0x7f, 0xff, 0xff, 0xff]));
      setTimeout(() => evilSocket.destroy(), 1_500).unref();
      batch.push(closed);
      await Promise.all(batch);
    }
    stop = true;
    await loop;
    expect(goodQueries).toBeGreaterThan(5);
    const r = await good.query('SELECT 1 AS one');
    expect(r.rows[0].one).toBe(1);
    await good.end();
    // Allocation beyond the limit would show as hundreds of MiB here.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    await new Promise((res) => setTimeout(res, 200));
    expect(listener.clients).toBe(0);
  }, 60_000);
});
