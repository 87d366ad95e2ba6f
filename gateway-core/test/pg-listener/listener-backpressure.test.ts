/** A client that stops reading a large result keeps Gatehouse's memory flat (backpressure). */
import type { Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FrameReader } from '../../src/pg-listener/frame-reader.js';
import * as fe from '../../src/pg-listener/frontend-encode.js';
import type { PgListener } from '../../src/pg-listener/listener.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { openListener } from './listener-fixture.js';

let server: PostgresServer;
let listener: PgListener;

beforeAll(async () => {
  server = await startPostgres({ seed: 'none' });
  listener = await openListener(server);
}, 120_000);

afterAll(async () => {
  await listener?.close();
  await server?.stop();
});

it('holds a 1M-row result (~120 MB) while the client does not read, then delivers every row', async () => {
  const c = new pg.Client({ host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database });
  c.on('error', () => undefined);
  await c.connect();
  const stream = (c as unknown as { connection: { stream: Socket } }).connection.stream;
  stream.removeAllListeners('data');
  stream.pause();
  global.gc?.();
  const before = process.memoryUsage();
  stream.write(fe.encodeQuery("SELECT g, repeat('x', 100) FROM pg_catalog.generate_series(1, 1000000) AS g"));
  await new Promise((r) => setTimeout(r, 3_000));
  const during = process.memoryUsage();
  // Without backpressure the whole result would sit in Gatehouse's buffers by now.
  expect(during.heapUsed + during.external - (before.heapUsed + before.external)).toBeLessThan(48 * 1024 * 1024);
  const reader = new FrameReader();
  let rows = 0;
  await new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.type === 'D') rows++;
        if (f.type === 'Z') resolve();
      }
    });
    stream.resume();
  });
  expect(rows).toBe(1_000_000);
  stream.destroy();
  await c.end().catch(() => undefined);
}, 120_000);
