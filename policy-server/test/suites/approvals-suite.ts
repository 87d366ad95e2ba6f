/** Approval semantics (invariant 4): who may decide, N of a group, grants, expiry, consume. */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { expect, it } from 'vitest';
import { actionHash, ApprovalList, ApprovalRequest, GrantClaims } from '@gatehouse/gateway-core';
import type { Client, Harness } from '../support/harness.js';

type Req = ApprovalRequest;
type Err = { code: string; message: string };
const MINUTE = 60_000;

export function approvalsSuite(h: () => Harness): void {
  const sql = (text = `UPDATE customers SET email = 'x@example.com' WHERE id = ${Math.floor(Math.random() * 1e6)}`, connectionId = 'demo-postgres') => ({
    kind: 'sql' as const,
    connectionId,
    action: text,
    actionClass: 'write' as const,
    rule: 'write',
    justification: 'ticket SUP-1: fix a customer email',
  });
  const create = async (who: Client, body: unknown = sql()): Promise<Req> => {
    const r = await who.post<Req>('/v1/approvals', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return ApprovalRequest.parse(r.body);
  };
  const approved = async (text?: string): Promise<Req> => {
    const req = await create(h().client('erin'), sql(text));
    const r = await h().client('ada').post<Req>(`/v1/approvals/${req.id}/approve`, { reason: 'ok' });
    expect(r.body.status).toBe('approved');
    const mine = await h().client('erin').get<Req>(`/v1/approvals/${req.id}`);
    return ApprovalRequest.parse(mine.body);
  };
  const grantId = (r: Req): string => {
    const payload = JSON.parse(Buffer.from(r.grant?.token.split('.')[1] ?? '', 'base64url').toString()) as { jti: string };
    return payload.jti;
  };

  it('creates a pending request bound to the action hash, with no grant', async () => {
    const text = "  UPDATE customers SET email = 'a@b.c' WHERE id = 7\r\n";
    const req = await create(h().client('erin'), sql(text));
    expect(req).toMatchObject({ status: 'pending', requester: 'erin', requesterName: 'Erin', requesterRole: 'support', requiredApprovals: 1, grant: null, decisions: [] });
    expect(req.actionHash).toBe(actionHash('sql', text));
    expect(Date.parse(req.expiresAt) - Date.parse(req.createdAt)).toBe(60 * MINUTE);
  });

  it('validates input: 400 invalid_input naming the field', async () => {
    const r = await h().client('erin').post<Err>('/v1/approvals', { ...sql(), justification: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid_input');
    expect(r.body.message).toMatch(/justification/);
    const extra = await h().client('erin').post<Err>('/v1/approvals', { ...sql(), sneaky: true });
    expect(extra.status).toBe(400);
  });

  it('refuses requests the policy does not allow (403)', async () => {
    // Connection outside the role; role without an approval rule; dangerous SQL a role denies.
    expect((await h().client('erin').post<Err>('/v1/approvals', sql(undefined, 'staging-db'))).status).toBe(403);
    const intern = await h().client('ivan').post<Err>('/v1/approvals', sql());
    expect(intern.status).toBe(403);
    expect(intern.body.message).toMatch(/no approval rule/);
    const drop = await h().client('erin').post<Err>('/v1/approvals', { ...sql('DROP TABLE customers'), actionClass: 'write' });
    expect(drop.status).toBe(403);
    expect(drop.body.message).toMatch(/dangerous/);
    // A shell line the role's rules deny outright (the built-in rules refuse rm -rf /).
    const rm = await h().client('erin').post<Err>('/v1/approvals', { kind: 'shell', connectionId: 'demo-ssh', action: 'rm -rf /', rule: 'x', justification: 'cleanup please' });
    expect(rm.status, JSON.stringify(rm.body)).toBe(403);
  });

  it('never lets a requester decide their own request (403 self_approval)', async () => {
    const erins = await create(h().client('erin'));
    const self = await h().client('erin').post<Err>(`/v1/approvals/${erins.id}/approve`, {});
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('self_approval');
    // An admin's own request needs another admin.
    const adas = await create(h().client('ada'));
    expect((await h().client('ada').post<Err>(`/v1/approvals/${adas.id}/approve`, {})).body.code).toBe('self_approval');
    expect((await h().client('ada').post<Err>(`/v1/approvals/${adas.id}/deny`, {})).body.code).toBe('self_approval');
    expect((await h().client('alan').post<Req>(`/v1/approvals/${adas.id}/approve`, {})).body.status).toBe('approved');
  });

  it('refuses a decision from someone who is not an approver (403), and hides the request (404)', async () => {
    const req = await create(h().client('erin'));
    const sam = await h().client('sam').post<Err>(`/v1/approvals/${req.id}/approve`, {});
    expect(sam.status).toBe(403);
    expect(sam.body.code).toBe('forbidden');
    expect((await h().client('sam').get(`/v1/approvals/${req.id}`)).status).toBe(404);
    expect((await h().client('erin').get<Req>(`/v1/approvals/${req.id}`)).body.status).toBe('pending');
  });

  it('counts N distinct approvers, each person once', async () => {
    const req = await create(h().client('dana'), sql(undefined, 'prod-db'));
    expect(req.requiredApprovals).toBe(2);
    const first = await h().client('ada').post<Req>(`/v1/approvals/${req.id}/approve`, { reason: 'looks right' });
    expect(first.body).toMatchObject({ status: 'pending', grant: null });
    expect(first.body.decisions).toHaveLength(1);
    const again = await h().client('ada').post<Req>(`/v1/approvals/${req.id}/approve`, { reason: 'really' });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('pending');
    expect(again.body.decisions).toHaveLength(1);
    // Changing one's mind after deciding is refused: the first decision stands.
    expect((await h().client('ada').post<Err>(`/v1/approvals/${req.id}/deny`, {})).status).toBe(409);
    const second = await h().client('alan').post<Req>(`/v1/approvals/${req.id}/approve`, {});
    expect(second.body.status).toBe('approved');
    expect(second.body.decisions.map((d) => d.by).sort()).toEqual(['ada', 'alan']);
    expect(second.body.grant).toBeNull(); // approvers never see the grant
    const mine = await h().client('dana').get<Req>(`/v1/approvals/${req.id}`);
    expect(mine.body.grant).not.toBeNull();
    // A decided request takes no further decisions.
    const late = await h().client('ada').post<Err>(`/v1/approvals/${req.id}/deny`, {});
    expect(late.status).toBe(409);
  });

  it('mints a grant that verifies against the JWKS and names exactly the action', async () => {
    const text = "UPDATE customers SET phone = '555-0100' WHERE id = 42";
    const req = await approved(text);
    expect(req.status).toBe('approved');
    expect(req.grant).not.toBeNull();
    const jwks = createRemoteJWKSet(new URL(`${h().url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(req.grant?.token ?? '', jwks, {
      issuer: 'urn:gatehouse:test-policy-server',
      audience: 'gatehouse-gateway',
      algorithms: ['ES256'],
      currentDate: h().clock.now(),
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'gatehouse-grant+jwt' });
    const claims = GrantClaims.parse(payload);
    expect(claims).toMatchObject({ sub: 'erin', rid: req.id, kind: 'sql', act: actionHash('sql', text), con: 'demo-postgres' });
    expect(claims.exp - claims.iat).toBe(15 * 60);
    expect(new Date(claims.exp * 1000).toISOString()).toBe(req.grant?.expiresAt);
  });

  it('consumes a grant once: the second consume is 409 grant_used', async () => {
    const req = await approved();
    const jti = grantId(req);
    expect((await h().client('ada').post<Err>(`/v1/approvals/${req.id}/consume`, { grantId: jti })).status).toBe(403);
    const wrong = await h().client('erin').post<Err>(`/v1/approvals/${req.id}/consume`, { grantId: 'g_someone-elses' });
    expect(wrong.status).toBe(409);
    const first = await h().client('erin').post<Req>(`/v1/approvals/${req.id}/consume`, { grantId: jti });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'used', grant: null });
    expect(first.body.usedAt).not.toBeNull();
    const second = await h().client('erin').post<Err>(`/v1/approvals/${req.id}/consume`, { grantId: jti });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('grant_used');
    // Two consumes racing: exactly one wins.
    const racer = await approved();
    const results = await Promise.all([0, 1, 2].map(() => h().client('erin').post<Err>(`/v1/approvals/${racer.id}/consume`, { grantId: grantId(racer) })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it('refuses an expired grant (409 grant_expired)', async () => {
    const req = await approved();
    h().clock.advance(16 * MINUTE);
    const r = await h().client('erin').post<Err>(`/v1/approvals/${req.id}/consume`, { grantId: grantId(req) });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('grant_expired');
    expect((await h().client('erin').get<Req>(`/v1/approvals/${req.id}`)).body.grant).toBeNull();
  });

  it('denies on one denial, with the reason', async () => {
    const req = await create(h().client('dana'), sql(undefined, 'prod-db'));
    const denied = await h().client('ada').post<Req>(`/v1/approvals/${req.id}/deny`, { reason: 'not during the freeze' });
    expect(denied.body).toMatchObject({ status: 'denied', grant: null });
    expect(denied.body.decisions[0]).toMatchObject({ by: 'ada', decision: 'deny', reason: 'not during the freeze' });
    const late = await h().client('alan').post<Err>(`/v1/approvals/${req.id}/approve`, {});
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('already_decided');
  });

  it('lets only the requester cancel, only while pending', async () => {
    const req = await create(h().client('erin'));
    expect((await h().client('sam').post(`/v1/approvals/${req.id}/cancel`)).status).toBe(404);
    expect((await h().client('ada').post(`/v1/approvals/${req.id}/cancel`)).status).toBe(403);
    expect((await h().client('erin').post<Req>(`/v1/approvals/${req.id}/cancel`)).body.status).toBe('cancelled');
    expect((await h().client('erin').post<Err>(`/v1/approvals/${req.id}/cancel`)).body.code).toBe('already_decided');
    expect((await h().client('ada').post<Err>(`/v1/approvals/${req.id}/approve`, {})).status).toBe(409);
  });

  it('expires pending requests at expiresAt: reads first, then the sweeper with an audit event', async () => {
    const req = await create(h().client('erin'));
    h().clock.advance(61 * MINUTE);
    expect((await h().client('erin').get<Req>(`/v1/approvals/${req.id}`)).body.status).toBe('expired');
    expect((await h().client('ada').post<Err>(`/v1/approvals/${req.id}/approve`, {})).body.code).toBe('already_decided');
    expect(await h().server.sweep()).toBeGreaterThanOrEqual(1);
    const audit = await h().client('ada').get<{ events: { type: string }[] }>(`/v1/audit?requestId=${req.id}`);
    expect(audit.body.events.map((e) => e.type)).toContain('approval.expired');
  });

  it('handles time-boxed access requests up to the policy maximum', async () => {
    const erin = h().client('erin');
    const tooLong = await erin.post<Err>('/v1/approvals', { kind: 'access', connectionId: 'prod-db', durationMinutes: 300, justification: 'incident 77' });
    expect(tooLong.status).toBe(403);
    expect(tooLong.body.message).toMatch(/240/);
    expect((await erin.post('/v1/approvals', { kind: 'access', connectionId: 'demo-postgres', durationMinutes: 30, justification: 'incident 77' })).status).toBe(403);
    const req = await create(erin, { kind: 'access', connectionId: 'prod-db', durationMinutes: 60, justification: 'incident 77' });
    expect(req).toMatchObject({ kind: 'access', action: null, actionHash: null, durationMinutes: 60 });
    const ok = await h().client('ada').post<Req>(`/v1/approvals/${req.id}/approve`, {});
    expect(ok.body.status).toBe('approved');
    const active = await erin.get<{ requests: Req[] }>('/v1/access/active');
    const mine = active.body.requests.find((r) => r.id === req.id);
    expect(mine?.grant).not.toBeNull();
    expect(Date.parse(mine?.grant?.expiresAt ?? '') - Date.parse(mine?.decidedAt ?? '')).toBeLessThanOrEqual(60 * MINUTE);
    expect(Date.parse(mine?.grant?.expiresAt ?? '') - Date.parse(mine?.decidedAt ?? '')).toBeGreaterThan(59 * MINUTE);
    expect((await erin.post<Err>(`/v1/approvals/${req.id}/consume`, { grantId: 'x' })).status).toBe(409);
    expect((await h().client('sam').get<{ requests: Req[] }>('/v1/access/active')).body.requests).toEqual([]);
    h().clock.advance(61 * MINUTE);
    expect((await erin.get<{ requests: Req[] }>('/v1/access/active')).body.requests.find((r) => r.id === req.id)).toBeUndefined();
  });

  it('lists my requests and my inbox, with filters', async () => {
    const req = await create(h().client('erin'), sql(undefined, 'demo-listing'));
    const inbox = await h().client('ada').get<{ requests: Req[] }>('/v1/approvals?scope=inbox&status=pending');
    expect(ApprovalList.parse(inbox.body).requests.map((r) => r.id)).toContain(req.id);
    expect(inbox.body.requests.every((r) => r.status === 'pending' && r.requester !== 'ada' && r.grant === null)).toBe(true);
    const mine = await h().client('erin').get<{ requests: Req[] }>('/v1/approvals?connectionId=demo-listing');
    expect(mine.body.requests.map((r) => r.id)).toEqual([req.id]);
    // scope=mine alone and with a status: the app's catch-up after a reconnect asks exactly this.
    for (const q of ['scope=mine', 'scope=mine&status=pending']) {
      const own = await h().client('erin').get<{ requests: Req[] }>(`/v1/approvals?${q}`);
      expect(own.status, JSON.stringify(own.body)).toBe(200);
      expect(own.body.requests.map((r) => r.id)).toContain(req.id);
      expect(own.body.requests.every((r) => r.requester === 'erin')).toBe(true);
    }
    const all = await h().client('erin').get<{ requests: Req[] }>('/v1/approvals');
    expect(all.body.requests.every((r) => r.requester === 'erin')).toBe(true);
    const sams = await h().client('sam').get<{ requests: Req[] }>('/v1/approvals?scope=inbox');
    expect(sams.body.requests).toEqual([]);
    const byRequester = await h().client('ada').get<{ requests: Req[] }>('/v1/approvals?requester=erin&limit=2');
    expect(byRequester.body.requests.length).toBeLessThanOrEqual(2);
    expect(byRequester.body.requests.every((r) => r.requester === 'erin')).toBe(true);
    expect((await h().client('ada').get<Err>('/v1/approvals?status=bogus')).status).toBe(400);
  });
}
