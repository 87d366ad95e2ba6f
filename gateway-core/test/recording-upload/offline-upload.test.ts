// The offline test of issue 6: record with the policy server down; the uploader retries and keeps
// every file; bring the server up; the upload completes, the spool empties, and the server's copy
// verifies intact. Also: a crashed (unsealed) leftover is uploaded, a live recording waits for its
// seal, and another identity's recording goes up with that identity's own token.
import { mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoPolicyServer, type DemoPolicyServer } from '@gatehouse/policy-server';
import { DemoIdentityProvider } from '../../src/identity/demo-identity-provider.js';
import { DemoIssuer } from '../../src/identity/demo-issuer.js';
import { createMasker } from '../../src/masking/index.js';
import { indexPathFor } from '../../src/recording/recording-format.js';
import { Recordings } from '../../src/recording/recordings.js';
import { verifyRecording } from '../../src/recording/verify.js';
import type { RecordingUploader, RecordingUploadStatus } from '../../src/recording-upload/recording-uploader.js';
import { SessionClient } from '../../src/recording-upload/session-client.js';
import { Session } from '../../src/recording-upload/sessions-api.js';
import { startRecordingUpload } from '../../src/recording-upload/start-recording-upload.js';
import { quietLogger } from '../recording/recording-helpers.js';

const masker = createMasker({ detectors: 'all', columns: {} });

let dir: string;
let issuer: DemoIssuer;
let server: DemoPolicyServer | undefined;
let uploader: RecordingUploader | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-upload-'));
  issuer = await DemoIssuer.create();
});

afterAll(async () => {
  await uploader?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('uploading the spool to the policy server', () => {
  it('keeps everything while the server is down, then uploads it all and the server copy verifies', async () => {
    const recordings = new Recordings({ dir: join(dir, 'recordings'), flushIntervalMs: 20 }, quietLogger);
    const spoolDir = recordings.spool.dir;

    // Before the app (and so the uploader) starts: a session that crashed, leaving an unsealed recording.
    const crashed = recordings.sql({ sessionId: 'crashed-sql', user: 'engineer', connectionId: 'demo-postgres' })!;
    crashed.begin("SELECT email FROM customers WHERE email = 'ada@example.com'", masker).decision({ action: 'allow', class: 'read', rule: 'read', reason: 'reads' });
    await crashed.close();
    const crashedIndex = indexPathFor(crashed.path);
    const idx = await readFile(crashedIndex, 'utf8');
    await truncate(crashedIndex, idx.slice(0, idx.lastIndexOf('{"k":"end"')).length); // as a kill -9 leaves it
    expect((await verifyRecording(crashed.path)).intact).toBe(true);

    // The app starts with the policy server down.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const identity = new DemoIdentityProvider('engineer', issuer);
    uploader = startRecordingUpload({ recordings, identity, logger: quietLogger, policyServerUrl: url }, { minBackoffMs: 30, maxBackoffMs: 150, scanIntervalMs: 50, chunkBytes: 1024 });
    const states: RecordingUploadStatus[] = [];
    uploader.onChange((s) => states.push(s));

    // Sessions of two people (the demo switches identity at one laptop), recorded offline.
    const sql = recordings.sql({ sessionId: 'sql-1', user: 'engineer', connectionId: 'demo-postgres' })!;
    const run = sql.begin("DELETE FROM customers WHERE email = 'bob@example.com'", masker);
    run.decision({ action: 'deny', class: 'write', rule: 'write', reason: 'writes need approval' });
    await sql.close();
    const term = recordings.terminal({ sessionId: 'term-1', user: 'admin', connectionId: 'demo-ssh', cols: 80, rows: 24, recordInput: false, masker })!;
    for (let i = 0; i < 300; i++) term.output(`output line ${i} ${'x'.repeat(40)}\r\n`); // several 1 KiB chunks
    term.marker({ type: 'guard', action: 'deny', rule: 'no-rm', reason: 'refused', command: 'rm -rf /' });
    await term.close();
    // A session still running: never uploaded before its recording is sealed.
    const live = recordings.sql({ sessionId: 'live-1', user: 'engineer', connectionId: 'demo-postgres' })!;
    live.begin('SELECT 1', masker);

    const originals = new Map<string, Buffer>();
    for (const r of [crashed, sql, term]) originals.set(r.path, await readFile(r.path));
    const spooled = async (): Promise<string[]> => (await readdir(spoolDir)).sort();
    const before = await spooled();
    expect(before).toHaveLength(8);

    // Offline: the uploader keeps trying (backoff), says so, and removes nothing.
    await until('several failed attempts', () => states.filter((s) => s.state === 'offline').length >= 3);
    expect(uploader.status()).toMatchObject({ state: 'offline', uploaded: 0, queued: 3 });
    expect(uploader.status().lastError?.message).toMatch(/unreachable/);
    expect(await spooled()).toEqual(before);

    // The server comes up; the uploader finds it on its next attempt.
    server = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }, port });
    await until('the three finished recordings uploaded', () => uploader!.status().uploaded === 3);
    expect(uploader.status()).toMatchObject({ state: 'idle', rejected: 0, waitingForOwner: 0 });
    expect(await spooled()).toEqual([basename(live.path), basename(indexPathFor(live.path))].sort());

    // The server's copies: complete, byte-identical, and they verify.
    const admin = await issuer.tokenFor({ id: 'admin', displayName: 'Ada Admin', email: 'ada.admin@gatehouse.demo', roles: ['admin'] });
    const get = (path: string): Promise<Response> => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${admin}` } });
    for (const [id, rec, owner] of [
      ['crashed-sql', crashed, 'engineer'],
      ['sql-1', sql, 'engineer'],
      ['term-1', term, 'admin'],
    ] as const) {
      const meta = Session.parse(await (await get(`/v1/sessions/${id}`)).json());
      expect(meta).toMatchObject({ id, user: owner, status: 'complete', sealed: id !== 'crashed-sql' });
      const body = Buffer.from(await (await get(`/v1/sessions/${id}/body`)).arrayBuffer());
      const index = Buffer.from(await (await get(`/v1/sessions/${id}/index`)).arrayBuffer());
      expect(body.equals(originals.get(rec.path)!)).toBe(true);
      const copy = join(dir, `copy-${id}`);
      await writeFile(copy, body);
      await writeFile(indexPathFor(copy), index);
      const verified = await verifyRecording(copy);
      expect(verified).toMatchObject({ intact: true, events: meta.events });
    }
    expect(Session.parse(await (await get('/v1/sessions/term-1')).json()).counts.blocked).toBe(1);
    // The read side of the client (for the player's host): list, and a range of the body.
    const reader = new SessionClient({ baseUrl: url, accessToken: async () => admin, currentIdentity: () => 'admin' });
    expect((await reader.list(admin, { q: 'rm -rf' })).map((x) => x.id)).toEqual(['term-1']);
    const slice = await reader.read(admin, 'term-1', 'body', { start: 10, end: 19 });
    expect(slice).toMatchObject({ start: 10, total: originals.get(term.path)!.length });
    expect(slice.bytes.equals(originals.get(term.path)!.subarray(10, 20))).toBe(true);
    expect(Session.parse(await (await get('/v1/sessions/sql-1')).json()).counts.blocked).toBe(1);

    // The live session ends: its sealed recording goes up too, and the spool is empty.
    await live.close();
    uploader.kick();
    await until('the live recording uploaded', () => uploader!.status().uploaded === 4);
    expect(await spooled()).toEqual([]);
    expect(recordings.spool.status().usedBytes).toBe(0);
  });

  it('keeps a recording the server refuses (a broken chain) and does not retry it', async () => {
    // Runs against the server the first test brought up.
    expect(server).toBeDefined();
    const recordings = new Recordings({ dir: join(dir, 'recordings-2'), flushIntervalMs: 20 }, quietLogger);
    const rec = recordings.sql({ sessionId: 'tampered-1', user: 'engineer', connectionId: 'demo-postgres' })!;
    rec.begin('SELECT 1', masker);
    rec.begin('SELECT 2', masker);
    await rec.close();
    const lines = (await readFile(rec.path, 'utf8')).split('\n');
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    await writeFile(rec.path, lines.join('\n'));
    const second = startRecordingUpload({ recordings, identity: new DemoIdentityProvider('engineer', issuer), logger: quietLogger, policyServerUrl: server!.url }, { scanIntervalMs: 50 });
    try {
      await until('the refusal', () => second.status().rejected === 1);
      const status = second.status();
      expect(status).toMatchObject({ uploaded: 0, queued: 1, rejected: 1 });
      expect(status.lastError?.message).toMatch(/does not verify/);
      expect((await readdir(recordings.spool.dir)).sort()).toEqual([basename(rec.path), basename(indexPathFor(rec.path))].sort());
    } finally {
      await second.close();
    }
  });
});
