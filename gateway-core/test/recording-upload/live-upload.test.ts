// Live upload (issue 6, "Live view"): while a real terminal recorder writes a session over time,
// the uploader streams its whole lines to a real policy server, which serves the growing copy to
// the owner and an admin (not to others); when the session ends the copy is completed, verified,
// and every live copy was a prefix of it. A cut last line is never sent: it waits for its rest.
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoPolicyServer, type DemoPolicyServer } from '@gatehouse/policy-server';
import type { Identity } from '../../src/contract/bridge-contract.js';
import { DEMO_IDENTITIES } from '../../src/identity/demo-identity-provider.js';
import { DemoIssuer } from '../../src/identity/demo-issuer.js';
import { createMasker } from '../../src/masking/index.js';
import { indexPathFor } from '../../src/recording/recording-format.js';
import { Recordings } from '../../src/recording/recordings.js';
import { verifyRecording } from '../../src/recording/verify.js';
import { RecordingUploader } from '../../src/recording-upload/recording-uploader.js';
import { SessionClient } from '../../src/recording-upload/session-client.js';
import { Session, type UploadPart, type UploadState } from '../../src/recording-upload/sessions-api.js';
import { SessionReader } from '../../src/sessions/session-reader.js';
import { quietLogger } from '../recording/recording-helpers.js';

const masker = createMasker({ detectors: 'all', columns: {} });
const SAM: Identity = { id: 'sam', displayName: 'Sam Support', email: 'sam@gatehouse.demo', roles: ['support'] };

let dir: string;
let issuer: DemoIssuer;
let server: DemoPolicyServer;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-live-upload-'));
  issuer = await DemoIssuer.create();
  server = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }, recordingsDir: join(dir, 'server') });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const identity = (id: string): Identity => DEMO_IDENTITIES.find((i) => i.id === id) ?? SAM;
const token = (id: string): Promise<string> => issuer.tokenFor(identity(id));

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The uploader's own transport, with every appended chunk noted. */
class WatchedClient extends SessionClient {
  readonly sent: Array<{ part: UploadPart; offset: number; bytes: Buffer; at: number }> = [];
  override append(t: string, id: string, part: UploadPart, offset: number, bytes: Uint8Array): Promise<UploadState> {
    this.sent.push({ part, offset, bytes: Buffer.from(bytes), at: Date.now() });
    return super.append(t, id, part, offset, bytes);
  }
}

async function startUploader(spoolDir: string, spool?: Recordings['spool']): Promise<{ uploader: RecordingUploader; client: WatchedClient }> {
  const client = new WatchedClient({ baseUrl: server.url, accessToken: async () => null, currentIdentity: () => null, accessTokenFor: token });
  const uploader = new RecordingUploader({ spoolDir, ...(spool ? { spool } : {}), transport: client, logger: quietLogger, chunkBytes: 1024, liveIntervalMs: 100, minBackoffMs: 50, maxBackoffMs: 200 });
  // Its crash snapshot is taken before a session starts, as createGateway does.
  await uploader.start();
  closers.push(() => uploader.close());
  return { uploader, client };
}

async function get(who: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${await token(who)}`, ...headers } });
}

const serverBody = async (id: string): Promise<Buffer> => Buffer.from(await (await get('admin', `/v1/sessions/${id}/body`)).arrayBuffer());

describe('live upload', () => {
  it('streams a running terminal session as it grows, in whole lines, then completes and verifies it', async () => {
    const recordings = new Recordings({ dir: join(dir, 'recordings'), flushIntervalMs: 20 }, quietLogger);
    const { uploader, client } = await startUploader(recordings.spool.dir, recordings.spool);
    const id = 'live-term-1';
    const term = recordings.terminal({ sessionId: id, user: 'engineer', connectionId: 'demo-ssh', cols: 80, rows: 24, recordInput: false, masker })!;
    closers.push(() => term.close());

    // The session runs for a while; after each burst the server's copy catches up by itself.
    const copies: Buffer[] = [];
    for (let round = 0; round < 6; round++) {
      // A line longer than an upload chunk (1 KiB here), sent in pieces (before the round's
      // last line, which the server's copy is then checked for).
      if (round === 2) term.output(`${'y'.repeat(3000)}\r\n`);
      for (let i = 0; i < 20; i++) term.output(`round ${round} line ${i} ${'x'.repeat(30)}\r\n`);
      const want = `round ${round} line 19`;
      await until(`round ${round} on the server`, async () => (await serverBody(id)).includes(want));
      const copy = await serverBody(id);
      copies.push(copy);
      // Whole lines, a prefix of the spooled recording, and still uploading.
      expect(copy.at(-1)).toBe(0x0a);
      expect(copy.equals((await readFile(term.path)).subarray(0, copy.length))).toBe(true);
      const meta = Session.parse(await (await get('admin', `/v1/sessions/${id}`)).json());
      expect(meta).toMatchObject({ status: 'uploading', user: 'engineer', kind: 'terminal', events: null });
      expect(meta.bodyBytes).toBeGreaterThanOrEqual(copy.length); // the upload may have gone on since
      expect(uploader.status()).toMatchObject({ live: 1, uploaded: 0, queued: 0 });
    }
    expect(new Set(copies.map((c) => c.length)).size).toBe(copies.length); // it grew every round

    // Readable while live by its owner and an admin, not by another engineer; the index too.
    expect((await get('engineer', `/v1/sessions/${id}/body`)).status).toBe(200);
    expect((await get('sam', `/v1/sessions/${id}/body`)).status).toBe(403);
    expect((await get('sam', `/v1/sessions/${id}`)).status).toBe(403);
    const index = await get('admin', `/v1/sessions/${id}/index`);
    expect(index.status).toBe(200);
    expect((await index.text()).endsWith('\n')).toBe(true);
    // A range of a live copy, and the status header the gateway's reader goes by.
    const part = await get('admin', `/v1/sessions/${id}/body`, { range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect(part.headers.get('gatehouse-session-status')).toBe('uploading');
    const reader = new SessionReader(new SessionClient({ baseUrl: server.url, accessToken: () => token('admin'), currentIdentity: () => 'admin' }), () => token('admin'));
    const chunk = await reader.read(id, 'body', 0);
    expect(chunk).toMatchObject({ eof: true, live: true });
    expect(chunk.text.endsWith('\n')).toBe(true);

    // Every chunk sent while the session ran ends a line, but for the pieces of the long line,
    // which are sent one after another.
    const live = client.sent.filter((s) => s.part === 'body');
    expect(live.length).toBeGreaterThan(6);
    for (const [i, s] of live.entries()) {
      if (s.bytes.at(-1) === 0x0a) continue;
      expect(s.bytes.length).toBe(1024);
      expect(live[i + 1]?.offset).toBe(s.offset + s.bytes.length);
    }
    expect(live.some((s) => s.bytes.at(-1) !== 0x0a)).toBe(true);

    // The session ends: its sealed recording is completed as always, and leaves the spool.
    await term.close();
    await until('the recording completed', () => uploader.status().uploaded === 1);
    const meta = Session.parse(await (await get('admin', `/v1/sessions/${id}`)).json());
    expect(meta).toMatchObject({ status: 'complete', sealed: true });
    const body = await serverBody(id);
    for (const c of copies) expect(body.subarray(0, c.length).equals(c)).toBe(true);
    const copyPath = join(dir, 'final.cast');
    await writeFile(copyPath, body);
    await writeFile(indexPathFor(copyPath), Buffer.from(await (await get('admin', `/v1/sessions/${id}/index`)).arrayBuffer()));
    expect(await verifyRecording(copyPath)).toMatchObject({ intact: true, sealed: true, events: meta.events });
    expect(uploader.status()).toMatchObject({ live: 0, queued: 0 });
    expect(await readdir(recordings.spool.dir)).toEqual([]);
    expect(recordings.spool.status().usedBytes).toBe(0);
  }, 60_000);

  it('never sends a cut last line: it waits until the line is whole', async () => {
    const spoolDir = join(dir, 'hand-spool');
    await mkdir(spoolDir, { recursive: true });
    const { uploader, client } = await startUploader(spoolDir);
    // A recording as a write in progress leaves it: two whole lines, then half of one.
    const id = 'live-cut-1';
    const path = join(spoolDir, `2026-01-01T00-00-00-000Z-terminal-${id}.cast`);
    const header = JSON.stringify({ version: 2, width: 80, height: 24, gatehouse: { recordingVersion: 1, sessionId: id, user: 'engineer', connectionId: 'demo-ssh', kind: 'terminal', startedAt: new Date().toISOString() } });
    const whole = `${header}\n[0.1,"o","hello\\r\\n"]\n`;
    await writeFile(path, `${whole}[0.2,"o","wor`);
    await writeFile(indexPathFor(path), '{"k":"c","seq":0}\n{"k":"c","seq":1}\n{"k":"c","seq":');
    await until('the whole lines on the server', async () => (await serverBody(id)).length === Buffer.byteLength(whole));
    await uploader.drain();
    await uploader.drain();
    expect((await serverBody(id)).toString()).toBe(whole);
    expect((await (await get('admin', `/v1/sessions/${id}/index`)).text()).endsWith('{"k":"c","seq":1}\n')).toBe(true);
    expect(client.sent.every((s) => s.bytes.at(-1) === 0x0a)).toBe(true);

    // The write finishes: the line goes up whole.
    await appendFile(path, 'ld\\r\\n"]\n');
    await until('the completed line', async () => (await serverBody(id)).toString().endsWith('[0.2,"o","world\\r\\n"]\n'));
    expect(client.sent.every((s) => s.bytes.at(-1) === 0x0a)).toBe(true);
    expect(uploader.status()).toMatchObject({ live: 1, uploaded: 0 });

    // Were a cut line on the server (another client's chunk), the reader still serves whole lines.
    const at = (await serverBody(id)).length;
    const cut = Buffer.from('[0.3,"o","ha');
    await client.append(await token('engineer'), id, 'body', at, cut);
    const reader = new SessionReader(new SessionClient({ baseUrl: server.url, accessToken: () => token('admin'), currentIdentity: () => 'admin' }), () => token('admin'));
    const chunk = await reader.read(id, 'body', Buffer.byteLength(whole));
    expect(chunk).toEqual({ text: '[0.2,"o","world\\r\\n"]\n', nextOffset: at, eof: true, totalBytes: at + cut.length, live: true });
    expect(await reader.read(id, 'body', at)).toMatchObject({ text: '', nextOffset: at, eof: true, live: true });
  }, 30_000);
});
