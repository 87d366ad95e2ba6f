/** Session recordings (issue 6): resumable upload, verification on arrival, range reads, filters, access, audit. */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { AuditList, createAgentCallRecorder, createMasker, createSqlRecorder, createTerminalRecorder, indexPathFor, type Logger, Session, SessionList, UploadState } from '@gatehouse/gateway-core';
import type { Harness } from '../support/harness.js';
import type { Person } from '../support/test-policy.js';

type Err = { code: string; message: string; expectedOffset?: number };
const masker = createMasker({ detectors: 'all', columns: {} });
const logger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
const AGENT_EMAIL = 'jane.doe@example.com';

export function sessionsSuite(h: () => Harness): void {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sessions-suite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  interface Recorded {
    id: string;
    body: Buffer;
    index: Buffer;
    kind: 'sql' | 'terminal' | 'agent';
    connectionId: string;
    startedAt: string;
  }

  /** A real SQL recording: statements, a denied one, an approved one, masked rows. */
  async function recordSql(user: string, statements: string[], connectionId = 'demo-postgres'): Promise<Recorded> {
    const id = `sql-${randomUUID()}`;
    const path = join(dir, `${id}.sql.jsonl`);
    const rec = createSqlRecorder({ path, sessionId: id, user, connectionId, logger, flushIntervalMs: 10 });
    for (const text of statements) {
      const run = rec.begin(text, masker);
      if (/^DELETE/i.test(text)) run.decision({ action: 'deny', class: 'write', rule: 'write', reason: 'writes need approval' });
      else if (/^UPDATE/i.test(text)) run.decision({ action: 'approved', class: 'write', rule: 'write', reason: 'approved', approvalId: 'apr_1' });
      else {
        run.decision({ action: 'allow', class: 'read', rule: 'read', reason: 'reads are allowed' });
        run.result({
          results: [{ status: 'rows', columns: [{ name: 'email', type: 'text' }], rows: [[{ v: 'a•••@example.com', m: 'email' }]], rowCount: 1, hasMore: false, capped: false, durationMs: 1 }],
          notices: [],
        } as never);
      }
    }
    await rec.close();
    const body = readFileSync(path);
    const index = readFileSync(indexPathFor(path));
    const header = JSON.parse(body.toString('utf8').split('\n')[0]!) as { gatehouse: { startedAt: string } };
    return { id, body, index, kind: 'sql', connectionId, startedAt: header.gatehouse.startedAt };
  }

  /** A terminal recording with a blocked line and enough output to range-read. */
  async function recordTerminal(user: string, command: string): Promise<Recorded> {
    const id = `term-${randomUUID()}`;
    const path = join(dir, `${id}.cast`);
    const rec = createTerminalRecorder({ path, sessionId: id, user, connectionId: 'demo-ssh', cols: 80, rows: 24, recordInput: false, masker, logger, keyframeIntervalSec: 0, flushIntervalMs: 10 });
    rec.output('$ ');
    for (let i = 0; i < 200; i++) rec.output(`line ${i} of some output\r\n`);
    rec.marker({ type: 'guard', action: 'deny', rule: 'no-rm', reason: 'refused', command });
    rec.resize(100, 30);
    await rec.close();
    const body = readFileSync(path);
    const header = JSON.parse(body.toString('utf8').split('\n')[0]!) as { gatehouse: { startedAt: string } };
    return { id, body, index: readFileSync(indexPathFor(path)), kind: 'terminal', connectionId: 'demo-ssh', startedAt: header.gatehouse.startedAt };
  }

  /**
   * A real agent tool call: the input names `tag` and quotes an email (masked in the file), the
   * guard decides `action`, an approval event for held ones, masked rows and output for those
   * that ran.
   */
  async function recordAgent(user: string, tool: string, tag: string, action: 'allow' | 'deny' | 'approve' | 'approved'): Promise<Recorded> {
    const id = `agent-${randomUUID()}`;
    const path = join(dir, `${id}.agent.jsonl`);
    const rec = createAgentCallRecorder({ path, sessionId: id, user, connectionId: 'demo-postgres', tool, client: 'test-client/1.0', logger, flushIntervalMs: 10 });
    rec.input({ sql: `SELECT email FROM customers_${tag} WHERE email = '${AGENT_EMAIL}'`, limit: 5 }, masker);
    rec.decision({ action, class: action === 'allow' ? 'read' : 'write', rule: action === 'allow' ? 'read' : 'write', reason: 'policy', ...(action === 'approved' ? { approvalId: 'apr_a' } : {}) }, masker);
    if (action === 'approve') rec.approval('apr_h', 'pending', 'waiting for an admin');
    if (action === 'allow' || action === 'approved') {
      rec.sqlResult({ results: [{ status: 'rows', queryId: 'q', columns: [{ name: 'email', type: 'text' }], rows: [[{ v: 'j•••@•••.com', m: 'email' }]], rowCount: 1, hasMore: false, capped: false, rowCap: 500, durationMs: 1 }], notices: [] });
      rec.output('result', 'j•••@•••.com');
    }
    await rec.close();
    const body = readFileSync(path);
    const header = JSON.parse(body.toString('utf8').split('\n')[0]!) as { gatehouse: { startedAt: string } };
    return { id, body, index: readFileSync(indexPathFor(path)), kind: 'agent', connectionId: 'demo-postgres', startedAt: header.gatehouse.startedAt };
  }

  const raw = async (who: Person, method: string, path: string, body?: Buffer | object, headers: Record<string, string> = {}): Promise<Response> => {
    const token = await h().client(who).token();
    const isBytes = Buffer.isBuffer(body);
    return fetch(`${h().url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': isBytes ? 'application/octet-stream' : 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: isBytes ? new Uint8Array(body) : JSON.stringify(body) }),
    });
  };
  const create = (who: Person, r: Recorded): Promise<Response> => raw(who, 'PUT', `/v1/sessions/${r.id}`, { kind: r.kind, connectionId: r.connectionId, startedAt: r.startedAt });
  const put = (who: Person, r: Recorded, part: 'body' | 'index', offset: number, bytes: Buffer): Promise<Response> => raw(who, 'PUT', `/v1/sessions/${r.id}/${part}?offset=${offset}`, bytes);
  const complete = (who: Person, r: Recorded, hashes?: { bodySha256: string; indexSha256: string }): Promise<Response> =>
    raw(who, 'POST', `/v1/sessions/${r.id}/complete`, hashes ?? { bodySha256: sha256(r.body), indexSha256: sha256(r.index) });
  const upload = async (who: Person, r: Recorded): Promise<Session> => {
    expect((await create(who, r)).status).toBe(201);
    expect((await put(who, r, 'body', 0, r.body)).status).toBe(200);
    expect((await put(who, r, 'index', 0, r.index)).status).toBe(200);
    const res = await complete(who, r);
    const json = (await res.json()) as unknown;
    expect(res.status, JSON.stringify(json)).toBe(200);
    return Session.parse(json);
  };

  it('uploads resumably: an interrupted body resumes at the server offset, a wrong offset is 409', async () => {
    const r = await recordSql('erin', ['SELECT email FROM customers', "DELETE FROM customers WHERE email = 'x'", 'UPDATE customers SET x = 1']);
    const created = await create('erin', r);
    expect(created.status).toBe(201);
    expect(Session.parse(await created.json())).toMatchObject({ id: r.id, user: 'erin', userName: 'Erin', status: 'uploading', bodyBytes: 0 });
    // Idempotent for its owner; 403 for anyone else, who cannot take the id over.
    expect((await create('erin', r)).status).toBe(200);
    expect((await create('sam', r)).status).toBe(403);

    const half = Math.floor(r.body.length / 2);
    expect((await put('erin', r, 'body', 0, r.body.subarray(0, half))).status).toBe(200);
    // The connection dropped here; the client asks where to resume.
    const state = UploadState.parse(await (await raw('erin', 'GET', `/v1/sessions/${r.id}/upload`)).json());
    expect(state).toEqual({ bodyBytes: half, indexBytes: 0, status: 'uploading' });
    const wrong = await put('erin', r, 'body', 0, r.body);
    expect(wrong.status).toBe(409);
    expect((await wrong.json()) as Err).toMatchObject({ code: 'offset_mismatch', expectedOffset: half });
    expect((await put('erin', r, 'body', half + 5, r.body.subarray(half + 5))).status).toBe(409);
    expect((await put('sam', r, 'body', half, r.body.subarray(half))).status).toBe(403);
    // Completing too early: the hashes do not match what is stored; it stays resumable.
    const early = await complete('erin', r);
    expect(early.status).toBe(422);
    expect(((await early.json()) as Err).code).toBe('hash_mismatch');
    expect(UploadState.parse(await (await put('erin', r, 'body', half, r.body.subarray(half))).json()).bodyBytes).toBe(r.body.length);
    expect((await put('erin', r, 'index', 0, r.index)).status).toBe(200);
    const done = await complete('erin', r);
    const session = Session.parse(await done.json());
    expect(session).toMatchObject({ status: 'complete', bodyBytes: r.body.length, indexBytes: r.index.length, sealed: true, counts: { blocked: 1, approved: 1, held: 0 }, bodySha256: sha256(r.body) });
    expect(session.counts.masked).toBeGreaterThanOrEqual(1);
    expect(session.events).toBe(r.body.toString('utf8').trim().split('\n').length);
    // Completing again with the same hashes is a no-op; appending is over.
    expect((await complete('erin', r)).status).toBe(200);
    expect(((await (await put('erin', r, 'body', r.body.length, Buffer.from('x\n'))).json()) as Err).code).toBe('already_complete');
  });

  it('refuses a recording whose chain does not verify (422), and keeps the upload open', async () => {
    const r = await recordSql('erin', ['SELECT 1', 'SELECT 2']);
    // Swap two events: the bytes still hash as sent, but the chain is broken.
    const lines = r.body.toString('utf8').split('\n');
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    const tampered = { ...r, body: Buffer.from(lines.join('\n')) };
    expect((await create('erin', tampered)).status).toBe(201);
    await put('erin', tampered, 'body', 0, tampered.body);
    await put('erin', tampered, 'index', 0, tampered.index);
    const res = await complete('erin', tampered);
    expect(res.status).toBe(422);
    const err = (await res.json()) as Err;
    expect(err.code).toBe('chain_broken');
    expect(err.message).toMatch(/event 1/);
    expect(UploadState.parse(await (await raw('erin', 'GET', `/v1/sessions/${r.id}/upload`)).json()).status).toBe('uploading');
    // Reset, send the real bytes, and it completes.
    expect(UploadState.parse(await (await raw('erin', 'DELETE', `/v1/sessions/${r.id}/upload`)).json())).toEqual({ bodyBytes: 0, indexBytes: 0, status: 'uploading' });
    await put('erin', r, 'body', 0, r.body);
    await put('erin', r, 'index', 0, r.index);
    expect((await complete('erin', r)).status).toBe(200);
  });

  it("refuses a recording of someone else's session uploaded under my name (422 metadata_mismatch)", async () => {
    const r = await recordSql('erin', ['SELECT 1']);
    expect((await create('sam', r)).status).toBe(201);
    await put('sam', r, 'body', 0, r.body);
    await put('sam', r, 'index', 0, r.index);
    const res = await complete('sam', r);
    expect(res.status).toBe(422);
    expect(((await res.json()) as Err).code).toBe('metadata_mismatch');
  });

  it('serves the body with HTTP Range: 206 with the right bytes, 416 outside, 200 whole', async () => {
    const r = await recordTerminal('erin', 'rm -rf /tmp/x');
    await upload('erin', r);
    const whole = await raw('erin', 'GET', `/v1/sessions/${r.id}/body`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toMatch(/application\/x-asciicast/);
    expect(Buffer.from(await whole.arrayBuffer()).equals(r.body)).toBe(true);
    const part = await raw('erin', 'GET', `/v1/sessions/${r.id}/body`, undefined, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${r.body.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(r.body.subarray(100, 200))).toBe(true);
    const tail = await raw('erin', 'GET', `/v1/sessions/${r.id}/body`, undefined, { range: 'bytes=-10' });
    expect(Buffer.from(await tail.arrayBuffer()).equals(r.body.subarray(r.body.length - 10))).toBe(true);
    const open = await raw('erin', 'GET', `/v1/sessions/${r.id}/index`, undefined, { range: `bytes=${r.index.length - 20}-` });
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer()).equals(r.index.subarray(r.index.length - 20))).toBe(true);
    const beyond = await raw('erin', 'GET', `/v1/sessions/${r.id}/body`, undefined, { range: `bytes=${r.body.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${r.body.length}`);
    expect((await raw('erin', 'GET', `/v1/sessions/${r.id}/body`, undefined, { range: 'bytes=50-10' })).status).toBe(416);
    expect((await raw('erin', 'GET', `/v1/sessions/${r.id}/body`, undefined, { range: 'lines=1-2' })).status).toBe(416);
  });

  it('lists with filters and text search over statements and command lines', async () => {
    const tag = randomUUID().slice(0, 8);
    const a = await upload('erin', await recordSql('erin', [`SELECT * FROM orders_${tag}`]));
    const b = await upload('sam', await recordSql('sam', [`DELETE FROM invoices_${tag}`], 'prod-db'));
    const c = await upload('sam', await recordTerminal('sam', `rm -rf /var/${tag}`));
    const list = async (who: Person, qs: string): Promise<string[]> => {
      const res = await raw(who, 'GET', `/v1/sessions?${qs}`);
      const json = (await res.json()) as unknown;
      expect(res.status, JSON.stringify(json)).toBe(200);
      return SessionList.parse(json).sessions.map((s) => s.id);
    };
    expect(await list('ada', `q=${tag}`)).toEqual([c.id, b.id, a.id]); // newest first
    expect(await list('ada', `q=ORDERS_${tag}`)).toEqual([a.id]); // case-insensitive
    expect(await list('ada', `q=/var/${tag}`)).toEqual([c.id]);
    expect(await list('ada', `q=${tag}&user=sam`)).toEqual([c.id, b.id]);
    expect(await list('ada', `q=${tag}&kind=terminal`)).toEqual([c.id]);
    expect(await list('ada', `q=${tag}&connectionId=prod-db`)).toEqual([b.id]);
    expect(await list('ada', `q=${tag}&hasBlocked=true`)).toEqual([c.id, b.id]);
    expect(await list('ada', `q=${tag}&hasBlocked=false`)).toEqual([a.id]);
    expect(await list('ada', `q=${tag}&from=${encodeURIComponent(b.startedAt)}`)).toEqual([c.id, b.id]);
    expect(await list('ada', `q=${tag}&to=${encodeURIComponent(b.startedAt)}`)).toEqual([a.id]);
    expect(await list('ada', `q=${tag}&limit=1`)).toEqual([c.id]);
    // An engineer sees only their own, and may not ask for someone else's.
    expect(await list('erin', `q=${tag}`)).toEqual([a.id]);
    expect((await raw('erin', 'GET', '/v1/sessions?user=sam')).status).toBe(403);
    const approval = await upload('erin', await recordSql('erin', [`UPDATE t_${tag} SET x = 1`]));
    expect(await list('ada', `q=${tag}&hasApproval=true`)).toEqual([approval.id]);
  });

  it("refuses an engineer another's session (403 from the server); an admin reads it, and the replay is audited", async () => {
    const r = await recordTerminal('sam', 'rm -rf /srv');
    const s = await upload('sam', r);
    expect((await raw('erin', 'GET', `/v1/sessions/${s.id}`)).status).toBe(403);
    expect((await raw('erin', 'GET', `/v1/sessions/${s.id}/body`)).status).toBe(403);
    expect((await raw('erin', 'GET', `/v1/sessions/${s.id}/index`)).status).toBe(403);
    expect((await raw('erin', 'GET', `/v1/sessions/no-such-session`)).status).toBe(404);
    expect(Session.parse(await (await raw('ada', 'GET', `/v1/sessions/${s.id}`)).json())).toMatchObject({ user: 'sam', status: 'complete', counts: { blocked: 1 } });
    const body = await raw('ada', 'GET', `/v1/sessions/${s.id}/body`);
    expect(body.status).toBe(200);
    expect(Buffer.from(await body.arrayBuffer()).equals(r.body)).toBe(true);
    // A later range read (seeking) is not another replay opened.
    expect((await raw('ada', 'GET', `/v1/sessions/${s.id}/body`, undefined, { range: 'bytes=10-20' })).status).toBe(206);
    const audit = AuditList.parse(await (await raw('ada', 'GET', '/v1/audit?type=session.replay_opened&limit=50')).json());
    const mine = audit.events.filter((e) => (e.detail as { sessionId?: string }).sessionId === s.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ actor: 'ada', connectionId: 'demo-ssh', detail: { sessionId: s.id, owner: 'sam', kind: 'terminal' } });
    const uploaded = AuditList.parse(await (await raw('ada', 'GET', '/v1/audit?type=session.uploaded&limit=100')).json());
    expect(uploaded.events.some((e) => (e.detail as { sessionId?: string }).sessionId === s.id && e.actor === 'sam')).toBe(true);
  });

  it('indexes AI agent tool calls: kind agent, the tool as detail, counts, search over tool and masked input', async () => {
    const tag = randomUUID().slice(0, 8);
    const ran = await upload('ivan', await recordAgent('ivan', 'query', tag, 'allow'));
    const denied = await upload('ivan', await recordAgent('ivan', 'query', tag, 'deny'));
    const held = await upload('ivan', await recordAgent('ivan', `describe_${tag}`, tag, 'approve'));
    const approved = await upload('ivan', await recordAgent('ivan', 'query', tag, 'approved'));
    const sql = await upload('ivan', await recordSql('ivan', [`SELECT 1 AS t_${tag}`]));
    // Masked: the call's input (the email), the rows, the output.
    expect(ran).toMatchObject({ kind: 'agent', detail: 'query', user: 'ivan', sealed: true, counts: { blocked: 0, held: 0, approved: 0, masked: 3 } });
    expect(denied).toMatchObject({ kind: 'agent', detail: 'query', counts: { blocked: 1, held: 0, approved: 0, masked: 1 } });
    expect(held).toMatchObject({ kind: 'agent', detail: `describe_${tag}`, counts: { blocked: 0, held: 1, approved: 0, masked: 1 } });
    expect(approved).toMatchObject({ kind: 'agent', detail: 'query', counts: { blocked: 0, held: 0, approved: 1, masked: 3 } });
    expect(sql.detail).toBeNull();

    const list = async (who: Person, qs: string): Promise<Session[]> => {
      const res = await raw(who, 'GET', `/v1/sessions?${qs}`);
      const json = (await res.json()) as unknown;
      expect(res.status, JSON.stringify(json)).toBe(200);
      return SessionList.parse(json).sessions;
    };
    const ids = (ss: Session[]): string[] => ss.map((x) => x.id);
    const agents = await list('ada', `q=${tag}&kind=agent`);
    expect(ids(agents)).toEqual([approved.id, held.id, denied.id, ran.id]);
    expect(agents.map((x) => x.detail)).toEqual(['query', `describe_${tag}`, 'query', 'query']);
    expect(ids(await list('ada', `q=${tag}&kind=sql`))).toEqual([sql.id]);
    expect(ids(await list('ada', `q=describe_${tag}`))).toEqual([held.id]);
    expect(ids(await list('ada', `q=${tag}&kind=agent&hasBlocked=true`))).toEqual([denied.id]);
    expect(ids(await list('ada', `q=${tag}&kind=agent&hasApproval=true`))).toEqual([approved.id, held.id]);
    // The input is searchable as masked; the raw value it quoted is not there to be found.
    expect(ids(await list('ada', `q=${encodeURIComponent(`customers_${tag} WHERE email = 'j•••@•••.com'`)}`))).toHaveLength(4);
    expect(ids(await list('ada', `q=${encodeURIComponent(AGENT_EMAIL)}&kind=agent`)).filter((id) => agents.some((a) => a.id === id))).toEqual([]);
    // The owner lists their own; the body is JSONL.
    expect(ids(await list('ivan', `q=${tag}&kind=agent`))).toHaveLength(4);
    const body = await raw('ada', 'GET', `/v1/sessions/${ran.id}/body`);
    expect(body.headers.get('content-type')).toMatch(/^application\/jsonl/);
    const text = await body.text();
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ format: 'gatehouse-agent', gatehouse: { kind: 'agent', agent: { tool: 'query', client: 'test-client/1.0' } } });
    expect(text.includes(AGENT_EMAIL)).toBe(false);
    const uploaded = AuditList.parse(await (await raw('ada', 'GET', '/v1/audit?type=session.uploaded&limit=100')).json());
    expect(uploaded.events.find((e) => (e.detail as { sessionId?: string }).sessionId === held.id)?.detail).toMatchObject({ kind: 'agent', tool: `describe_${tag}` });
  });

  it('serves a session still uploading (live) as far as it is uploaded, to its owner and admins; opening it is audited as live', async () => {
    const r = await recordTerminal('sam', 'tail -f /var/log/app.log');
    // What a live upload sends: whole lines of each file so far.
    const bodyAt = r.body.subarray(0, Math.floor(r.body.length / 2)).lastIndexOf(0x0a) + 1;
    const indexAt = r.index.subarray(0, Math.floor(r.index.length / 2)).lastIndexOf(0x0a) + 1;
    expect((await create('sam', r)).status).toBe(201);
    expect((await put('sam', r, 'body', 0, r.body.subarray(0, bodyAt))).status).toBe(200);
    expect((await put('sam', r, 'index', 0, r.index.subarray(0, indexAt))).status).toBe(200);

    const meta = Session.parse(await (await raw('ada', 'GET', `/v1/sessions/${r.id}`)).json());
    expect(meta).toMatchObject({ status: 'uploading', bodyBytes: bodyAt, indexBytes: indexAt, events: null, bodySha256: null });
    const whole = await raw('ada', 'GET', `/v1/sessions/${r.id}/body`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('gatehouse-session-status')).toBe('uploading');
    expect(Buffer.from(await whole.arrayBuffer()).equals(r.body.subarray(0, bodyAt))).toBe(true);
    const part = await raw('ada', 'GET', `/v1/sessions/${r.id}/body`, undefined, { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bodyAt}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(r.body.subarray(10, 20))).toBe(true);
    // Polling on from the end: nothing new yet is 416 with the size held.
    const none = await raw('ada', 'GET', `/v1/sessions/${r.id}/body`, undefined, { range: `bytes=${bodyAt}-` });
    expect(none.status).toBe(416);
    expect(none.headers.get('content-range')).toBe(`bytes */${bodyAt}`);
    const index = await raw('ada', 'GET', `/v1/sessions/${r.id}/index`);
    expect(Buffer.from(await index.arrayBuffer()).equals(r.index.subarray(0, indexAt))).toBe(true);
    expect((await raw('sam', 'GET', `/v1/sessions/${r.id}/body`)).status).toBe(200);
    expect((await raw('erin', 'GET', `/v1/sessions/${r.id}/body`)).status).toBe(403);
    expect((await raw('erin', 'GET', `/v1/sessions/${r.id}`)).status).toBe(403);
    // Listed as live (uploading) only when asked for.
    const listed = SessionList.parse(await (await raw('ada', 'GET', '/v1/sessions?status=uploading&user=sam&limit=500')).json());
    expect(listed.sessions.map((x) => x.id)).toContain(r.id);

    // It ends: the rest goes up and completion verifies the whole, as for any upload.
    expect((await put('sam', r, 'body', bodyAt, r.body.subarray(bodyAt))).status).toBe(200);
    expect((await put('sam', r, 'index', indexAt, r.index.subarray(indexAt))).status).toBe(200);
    expect((await complete('sam', r)).status).toBe(200);
    const done = await raw('ada', 'GET', `/v1/sessions/${r.id}/body`);
    expect(done.headers.get('gatehouse-session-status')).toBe('complete');
    expect(Buffer.from(await done.arrayBuffer()).equals(r.body)).toBe(true);

    const audit = AuditList.parse(await (await raw('ada', 'GET', '/v1/audit?type=session.replay_opened&limit=200')).json());
    const opened = audit.events.filter((e) => (e.detail as { sessionId?: string }).sessionId === r.id);
    // Ada twice (live, then complete) and the owner once; ranges from later offsets are not openings.
    expect(opened.map((e) => [e.actor, (e.detail as { live?: boolean }).live ?? false]).sort()).toEqual([
      ['ada', false],
      ['ada', true],
      ['sam', true],
    ]);
  });

  it('refuses chunks over 8 MiB (413) and bodies that are not octets (415)', async () => {
    const r = await recordSql('erin', ['SELECT 1']);
    await create('erin', r);
    expect((await put('erin', r, 'body', 0, Buffer.alloc(8 * 1024 * 1024 + 1))).status).toBe(413);
    expect((await raw('erin', 'PUT', `/v1/sessions/${r.id}/body?offset=0`, { not: 'bytes' })).status).toBe(415);
  });
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
