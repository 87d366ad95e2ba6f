/**
 * Service identities (issue 8): admins create and revoke them; a ghsvc_ token authenticates as
 * one, with roles from its groups, never as an approver; revocation and expiry bite within the
 * cache bound; the token is shown once and is in no log line, list or audit answer.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  ApprovalList,
  AuditList,
  createMasker,
  createSqlRecorder,
  CreatedServiceIdentity,
  indexPathFor,
  Me,
  ServiceIdentity,
  ServiceIdentityList,
  Session,
  SessionList,
  type ApprovalRequest,
  type Logger,
} from '@gatehouse/gateway-core';
import { SERVICE_IDENTITY_CACHE_MS } from '../../src/service-identities/service-identity-service.js';
import type { Harness } from '../support/harness.js';
import { openStream } from './sse-suite.js';

type Err = { code: string; message: string };
const DAY = 24 * 60 * 60 * 1000;
const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

export function serviceIdentitiesSuite(h: () => Harness): void {
  const tokens: string[] = [];
  const unique = (base: string): string => `${base}-${randomUUID().slice(0, 8)}`;

  /** A call with a raw bearer token (a service token, or anything else). */
  const as = async <T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> => {
    const res = await fetch(`${h().url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  };
  const adminCall = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => as<T>(await h().client('ada').token(), method, path, body);
  const create = async (body: Record<string, unknown>): Promise<CreatedServiceIdentity> => {
    const r = await adminCall('POST', '/v1/service-identities', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const created = CreatedServiceIdentity.parse(r.body);
    tokens.push(created.token);
    return created;
  };
  const revoke = async (id: string) => adminCall('DELETE', `/v1/service-identities/${id}`);
  const refused = async (token: string, reason: RegExp): Promise<void> => {
    const r = await as<Err>(token, 'GET', '/v1/me');
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('unauthorized');
    expect(r.body.message).toMatch(reason);
    expect(r.body.message).not.toContain(token.slice(6));
  };
  const sqlRequest = (text: string) => ({ kind: 'sql', connectionId: 'demo-postgres', action: text, actionClass: 'write', rule: 'write', justification: 'agent ticket AG-1' });

  it('an admin creates one; its token works on /v1/me with roles from its groups, never as an approver', async () => {
    const name = unique('support-bot');
    const { identity, token } = await create({ name, displayName: 'Support Bot', groups: ['gh-support'], expiresInDays: 30 });
    expect(token).toMatch(/^ghsvc_[A-Za-z0-9_-]{43}$/);
    expect(identity).toMatchObject({ name, subject: `svc:${name}`, displayName: 'Support Bot', groups: ['gh-support'], roles: ['support'], status: 'active', createdBy: 'ada', revokedAt: null });
    expect(Date.parse(identity.expiresAt ?? '') - Date.parse(identity.createdAt)).toBe(30 * DAY);
    const me = await as(token, 'GET', '/v1/me');
    expect(me.status).toBe(200);
    expect(Me.parse(me.body)).toEqual({ subject: `svc:${name}`, displayName: 'Support Bot', email: null, groups: ['gh-support'], roles: ['support'], canApprove: false });
  });

  it('creates approval requests as itself, and sees only its own', async () => {
    const name = unique('asker');
    const { token } = await create({ name, groups: ['gh-support'] });
    const r = await as<ApprovalRequest>(token, 'POST', '/v1/approvals', sqlRequest('UPDATE customers SET city = 1 WHERE id = 2'));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ requester: `svc:${name}`, requesterName: name, requesterRole: 'support', status: 'pending' });
    // Ada sees it in her inbox and may approve it; the grant reaches the agent.
    expect((await adminCall<ApprovalRequest>('POST', `/v1/approvals/${r.body.id}/approve`, { reason: 'ok' })).body.status).toBe('approved');
    const mine = await as<ApprovalRequest>(token, 'GET', `/v1/approvals/${r.body.id}`);
    expect(mine.body.grant?.token).toBeTruthy();
    const list = ApprovalList.parse((await as(token, 'GET', '/v1/approvals')).body);
    expect(list.requests.map((q) => q.requester)).toEqual([`svc:${name}`]);
  });

  it('never approves (403), even when its groups map to an approver role, and sees no inbox', async () => {
    const name = unique('admin-bot');
    const { token, identity } = await create({ name, groups: ['gh-admins'] });
    expect(identity.roles).toEqual(['admin']);
    expect((await as(token, 'GET', '/v1/me')).body).toMatchObject({ roles: ['admin'], canApprove: false });
    const erins = await h().client('erin').post<ApprovalRequest>('/v1/approvals', sqlRequest('UPDATE customers SET city = 3 WHERE id = 4'));
    for (const decision of ['approve', 'deny']) {
      const r = await as<Err>(token, 'POST', `/v1/approvals/${erins.body.id}/${decision}`, { reason: 'bot says yes' });
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 'service_identity' });
    }
    expect((await as(token, 'GET', `/v1/approvals/${erins.body.id}`)).status).toBe(404);
    const inbox = ApprovalList.parse((await as(token, 'GET', '/v1/approvals?scope=inbox')).body);
    expect(inbox.requests).toEqual([]);
    expect((await h().client('erin').get<ApprovalRequest>(`/v1/approvals/${erins.body.id}`)).body.status).toBe('pending');
    // Admin-only routes stay closed to it: policy, and managing service identities.
    const policy = (await h().client('ada').get<{ yaml: string }>('/v1/policy')).body.yaml;
    expect((await as(token, 'PUT', '/v1/policy', { yaml: policy })).status).toBe(403);
    const manage = await as<Err>(token, 'POST', '/v1/service-identities', { name: unique('spawn'), groups: ['gh-admins'] });
    expect(manage.status).toBe(403);
    expect(manage.body.message).toMatch(/service identity may not manage/);
    expect((await as(token, 'GET', '/v1/service-identities')).status).toBe(403);
  });

  it('refuses people who are not admins (403), bad input (400), a taken name (409), unknown ids (404)', async () => {
    const erin = h().client('erin');
    expect((await erin.post<Err>('/v1/service-identities', { name: unique('nope'), groups: ['gh-support'] })).status).toBe(403);
    expect((await erin.get('/v1/service-identities')).status).toBe(403);
    const { identity } = await create({ name: unique('taken'), groups: ['gh-support'] });
    const del = await fetch(`${h().url}/v1/service-identities/${identity.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${await erin.token()}` } });
    expect(del.status).toBe(403);
    for (const bad of [{ name: 'Not A Slug', groups: ['g'] }, { name: unique('nogroups'), groups: [] }, { name: unique('extra'), groups: ['g'], sneaky: 1 }, { name: unique('days'), groups: ['g'], expiresInDays: 0 }]) {
      const r = await adminCall<Err>('POST', '/v1/service-identities', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.code).toBe('invalid_input');
    }
    const again = await adminCall<Err>('POST', '/v1/service-identities', { name: identity.name, groups: ['gh-support'] });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'name_taken' });
    expect((await revoke('si_no-such-thing')).status).toBe(404);
  });

  it('revoked: refused at once (401), listed as revoked, a second revoke is 409, and a revoked name stays taken', async () => {
    const { identity, token } = await create({ name: unique('revokee'), groups: ['gh-support'] });
    expect((await as(token, 'GET', '/v1/me')).status).toBe(200);
    const r = await revoke(identity.id);
    expect(r.status).toBe(200);
    expect(ServiceIdentity.parse(r.body)).toMatchObject({ id: identity.id, status: 'revoked', revokedBy: 'ada' });
    await refused(token, /revoked/);
    expect((await revoke(identity.id)).body).toMatchObject({ code: 'already_revoked' });
    expect((await adminCall('POST', '/v1/service-identities', { name: identity.name, groups: ['gh-support'] })).status).toBe(409);
  });

  it('revoked by another server on the same database: refused once the cache entry runs out', async () => {
    const { identity, token } = await create({ name: unique('elsewhere'), groups: ['gh-support'] });
    expect((await as(token, 'GET', '/v1/me')).status).toBe(200);
    // What another policy-server instance's revoke does to the shared table.
    await h().server.db.query(`UPDATE service_identities SET revoked_at = $2::timestamptz, revoked_by = 'alan' WHERE id = $1`, [identity.id, h().clock.now().toISOString()]);
    expect((await as(token, 'GET', '/v1/me')).status).toBe(200);
    h().clock.advance(SERVICE_IDENTITY_CACHE_MS);
    await refused(token, /revoked/);
  });

  it('expired: refused (401) after expiresInDays, and listed as expired', async () => {
    const { identity, token } = await create({ name: unique('shortlived'), groups: ['gh-support'], expiresInDays: 1 });
    expect((await as(token, 'GET', '/v1/me')).status).toBe(200);
    h().clock.advance(DAY);
    await refused(token, /expired/);
    const listed = ServiceIdentityList.parse((await adminCall('GET', '/v1/service-identities')).body).identities.find((i) => i.id === identity.id);
    expect(listed?.status).toBe('expired');
  });

  it('refuses unknown and malformed service tokens (401)', async () => {
    await refused(`ghsvc_${Buffer.alloc(32, 7).toString('base64url')}`, /unknown service token/);
    await refused('ghsvc_short', /malformed service token/);
  });

  it('hears its own requests on the event stream, and the stream ends when it is revoked', async () => {
    const name = unique('listener');
    const { identity, token } = await create({ name, groups: ['gh-admins'] });
    const stream = await openStream(h().url, token);
    try {
      const created = await as<ApprovalRequest>(token, 'POST', '/v1/approvals', sqlRequest('UPDATE customers SET city = 5 WHERE id = 6'));
      await stream.waitFor((e) => e.type === 'approval' && e.request.id === created.body.id);
      // Erin's request goes to the approvers; not to this admin-grouped agent.
      const erins = await h().client('erin').post<ApprovalRequest>('/v1/approvals', sqlRequest('UPDATE customers SET city = 7 WHERE id = 8'));
      await h().client('erin').post(`/v1/approvals/${erins.body.id}/cancel`);
      await revoke(identity.id);
      await stream.ended;
      expect(stream.events.some((e) => e.data.type === 'approval' && e.data.request.id === erins.body.id)).toBe(false);
    } finally {
      stream.close();
    }
  });

  it('uploads a session recording as itself, and lists only its own', async () => {
    const name = unique('recorder');
    const { token } = await create({ name, groups: ['gh-support'] });
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-svc-session-'));
    const id = `sql-${randomUUID()}`;
    const path = join(dir, `${id}.sql.jsonl`);
    const rec = createSqlRecorder({ path, sessionId: id, user: `svc:${name}`, connectionId: 'demo-postgres', logger: silent, flushIntervalMs: 10 });
    rec.begin('DELETE FROM customers', createMasker({ detectors: 'all', columns: {} })).decision({ action: 'deny', class: 'write', rule: 'write', reason: 'writes need approval' });
    await rec.close();
    const body = readFileSync(path);
    const index = readFileSync(indexPathFor(path));
    rmSync(dir, { recursive: true, force: true });
    const startedAt = (JSON.parse(body.toString('utf8').split('\n')[0] ?? '{}') as { gatehouse: { startedAt: string } }).gatehouse.startedAt;
    const bytes = async (part: string, data: Buffer): Promise<number> =>
      (await fetch(`${h().url}/v1/sessions/${id}/${part}?offset=0`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(data) })).status;
    expect((await as(token, 'PUT', `/v1/sessions/${id}`, { kind: 'sql', connectionId: 'demo-postgres', startedAt })).status).toBe(201);
    expect(await bytes('body', body)).toBe(200);
    expect(await bytes('index', index)).toBe(200);
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    const done = await as(token, 'POST', `/v1/sessions/${id}/complete`, { bodySha256: sha(body), indexSha256: sha(index) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(Session.parse(done.body)).toMatchObject({ user: `svc:${name}`, status: 'complete' });
    const listed = SessionList.parse((await as(token, 'GET', '/v1/sessions')).body);
    expect(new Set(listed.sessions.map((s) => s.user))).toEqual(new Set([`svc:${name}`]));
  });

  it('shows a token only in its create answer: never in a list, the audit log or a log line; audits create and revoke', async () => {
    const { identity, token } = await create({ name: unique('secretive'), groups: ['gh-support'] });
    await as(token, 'GET', '/v1/me');
    await as(token, 'POST', '/v1/approvals', { ...sqlRequest('x'), justification: 'y' }); // a 400, logged
    await revoke(identity.id);
    await as(token, 'GET', '/v1/me'); // a 401, logged
    const list = (await adminCall('GET', '/v1/service-identities')).body;
    const audit = AuditList.parse((await adminCall('GET', '/v1/audit?limit=1000')).body);
    const mine = audit.events.filter((e) => e.detail.id === identity.id);
    expect(mine.map((e) => e.type).reverse()).toEqual(['service_identity.created', 'service_identity.revoked']);
    expect(mine.every((e) => e.actor === 'ada')).toBe(true);
    expect(mine[1]?.detail).toMatchObject({ name: identity.name, subject: identity.subject });
    const logs = h().logLines().join('\n');
    expect(logs).toContain('/v1/service-identities'); // the log is really being captured
    for (const t of tokens) {
      const secret = t.slice(6);
      expect(JSON.stringify(list)).not.toContain(secret);
      expect(JSON.stringify(audit)).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = (await (await fetch(`${h().url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/v1/service-identities'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/service-identities/{id}'] ?? {})).toEqual(['delete']);
  });
}
