// Crash safety (invariant 5): a recording process killed with SIGKILL mid-session leaves a
// recording that reads back to its last flushed event and verifies intact up to there.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { indexPathFor } from '../../src/recording/recording-format.js';
import { readRecording } from '../../src/recording/read-recording.js';
import { verifyRecording } from '../../src/recording/verify.js';

const FLUSH_MS = 100;
let dir: string;
let child: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-rec-crash-'));
  // Bundled beside gateway-core's packages so the child resolves them like the library does.
  const out = fileURLToPath(new URL('../../node_modules/.cache/gatehouse-recording-test/', import.meta.url));
  mkdirSync(out, { recursive: true });
  child = join(out, 'crash-child.mjs');
  await build({ entryPoints: [fileURLToPath(new URL('./crash-child.ts', import.meta.url))], outfile: child, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error' });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a recorder killed with SIGKILL loses at most the last flush interval and verifies', async () => {
  const cast = join(dir, 'crash.cast');
  const sqlPath = join(dir, 'crash.sql.jsonl');
  const p = spawn(process.execPath, [child, cast, sqlPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const appended: Array<[number, number]> = [];
  let buf = '';
  p.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const l of parts) appended.push(l.split(' ').map(Number) as [number, number]);
  });
  const exited = new Promise((resolve) => p.on('exit', resolve));
  const deadline = Date.now() + 20_000;
  // Well into the session, and some flushes in.
  while ((appended.length < 300 || (await stat(indexPathFor(cast)).catch(() => ({ size: 0 }))).size === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  p.kill('SIGKILL');
  await exited;
  expect(appended.length).toBeGreaterThanOrEqual(300);

  const verify = await verifyRecording(cast);
  expect(verify).toMatchObject({ intact: true, sealed: false });
  const back = await readRecording(cast);
  if (back.kind !== 'terminal') throw new Error('kind');
  // Reads back to the last flushed event: an unbroken prefix of what was appended.
  const got = back.events.map((e) => e[2]);
  expect(got).toEqual(got.map((_, i) => `event ${i}\r\n`));
  expect(got.length).toBeGreaterThan(0);
  // What was lost was appended within about one flush interval before the kill (+ timer slack on a busy machine).
  const lastAppended = appended[appended.length - 1]!;
  const firstLost = appended[got.length];
  if (firstLost) expect(lastAppended[1] - firstLost[1]).toBeLessThanOrEqual(FLUSH_MS + 400);

  const sql = await readRecording(sqlPath);
  if (sql.kind !== 'sql') throw new Error('kind');
  expect(sql.verify).toMatchObject({ intact: true, sealed: false });
  const statements = sql.events.filter((e) => e.type === 'statement');
  expect(statements.length).toBeGreaterThan(0);
  statements.forEach((e, i) => expect(e).toMatchObject({ run: i, text: `SELECT ${i}` }));
}, 40_000);
