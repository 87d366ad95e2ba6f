/** Policy versions (validated whole, never half-applied), audit (append-only), OpenAPI, health. */
import { expect, it } from 'vitest';
import { AuditList, PolicyHistory, PolicyVersion, type ApprovalRequest } from '@gatehouse/gateway-core';
import { migrate } from '../../src/storage/migrate.js';
import { MIGRATIONS } from '../../src/storage/migrations.js';
import type { Harness } from '../support/harness.js';
import { TEST_POLICY_YAML } from '../support/test-policy.js';

type Err = { code: string; message: string };

export function policyAuditSuite(h: () => Harness): void {
  it('serves the seeded policy as version 1', async () => {
    const r = await h().client('erin').get('/v1/policy');
    expect(r.status).toBe(200);
    expect(PolicyVersion.parse(r.body)).toMatchObject({ yaml: TEST_POLICY_YAML, createdBy: 'system' });
  });

  it('refuses a policy change from a non-admin (403)', async () => {
    const r = await h().client('erin').put<Err>('/v1/policy', { yaml: TEST_POLICY_YAML, comment: 'mine now' });
    expect(r.status).toBe(403);
  });

  it('rejects an invalid policy whole, with the line, and keeps the version in force', async () => {
    const before = PolicyVersion.parse((await h().client('ada').get('/v1/policy')).body);
    const broken = TEST_POLICY_YAML.replace('    connections: ["demo-*", "prod-*"]', '    connections: ["demo-*", "prod-*"]\n    superpowers: true');
    const r = await h().client('ada').put<Err>('/v1/policy', { yaml: broken, comment: 'oops' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid_policy');
    expect(r.body.message).toMatch(/^line 11: .*superpowers/);
    const lockout = await h().client('ada').put<Err>('/v1/policy', { yaml: TEST_POLICY_YAML.replace('groups: [gh-admins]', 'groups: [gh-new-admins]'), comment: '' });
    expect(lockout.status).toBe(400);
    expect(lockout.body.message).toMatch(/no approver role/);
    const syntax = await h().client('ada').put<Err>('/v1/policy', { yaml: 'version: 1\nroles: {admin: [\n', comment: '' });
    expect(syntax.status).toBe(400);
    expect(syntax.body.message).toMatch(/^line \d+:/);
    const after = PolicyVersion.parse((await h().client('ada').get('/v1/policy')).body);
    expect(after.version).toBe(before.version);
    // …and the old policy is what decides: support may still request on demo-*.
    expect((await h().client('erin').get<{ roles: string[] }>('/v1/me')).body.roles).toEqual(['support']);
  });

  it('stores a valid policy as the next version, applies it, and keeps history', async () => {
    const before = PolicyVersion.parse((await h().client('ada').get('/v1/policy')).body);
    // Version 2 also lets interns' requests be approved.
    const yaml = TEST_POLICY_YAML.replace('  intern:\n    groups: [gh-interns]\n    connections: ["demo-*"]\n', '  intern:\n    groups: [gh-interns]\n    connections: ["demo-*"]\n    approval: { approvers: [admin] }\n');
    const put = await h().client('ada').put('/v1/policy', { yaml, comment: 'interns may ask' });
    expect(put.status).toBe(200);
    expect(PolicyVersion.parse(put.body)).toMatchObject({ version: before.version + 1, createdBy: 'ada', comment: 'interns may ask' });
    const intern = await h().client('ivan').post<ApprovalRequest>('/v1/approvals', { kind: 'shell', connectionId: 'demo-ssh', action: 'apt-get install htop', rule: 'no-package-changes', justification: 'need htop' });
    expect(intern.status).toBe(201);
    const history = PolicyHistory.parse((await h().client('erin').get('/v1/policy/history')).body);
    expect(history.versions.map((v) => v.version).slice(0, 2)).toEqual([before.version + 1, before.version]);
    expect(PolicyVersion.parse((await h().client('erin').get('/v1/policy/versions/1')).body).yaml).toBe(TEST_POLICY_YAML);
    expect((await h().client('erin').get<Err>('/v1/policy/versions/999')).status).toBe(404);
    const audit = AuditList.parse((await h().client('ada').get('/v1/audit?type=policy.updated')).body);
    expect(audit.events[0]).toMatchObject({ actor: 'ada', detail: { version: before.version + 1, comment: 'interns may ask' } });
  });

  it('records every decision as an audit event, and shows non-approvers only their own', async () => {
    const erin = h().client('erin');
    const created = await erin.post<ApprovalRequest>('/v1/approvals', { kind: 'sql', connectionId: 'demo-postgres', action: 'DELETE FROM sessions WHERE id = 1', actionClass: 'write', rule: 'write', justification: 'stale session' });
    const id = created.body.id;
    await h().client('ada').post(`/v1/approvals/${id}/approve`, { reason: 'fine' });
    const full = AuditList.parse((await h().client('ada').get(`/v1/audit?requestId=${id}`)).body);
    expect(full.events.map((e) => e.type).reverse()).toEqual(['approval.created', 'approval.approve', 'approval.approved']);
    expect(full.events.find((e) => e.type === 'approval.approve')).toMatchObject({ actor: 'ada', connectionId: 'demo-postgres', detail: { reason: 'fine', approvals: 1, required: 1 } });
    // Erin sees the events on her request (including Ada's decision); Sam sees none of them.
    expect(AuditList.parse((await erin.get(`/v1/audit?requestId=${id}`)).body).events).toHaveLength(3);
    expect(AuditList.parse((await h().client('sam').get(`/v1/audit?requestId=${id}`)).body).events).toHaveLength(0);
    const since = AuditList.parse((await h().client('ada').get(`/v1/audit?actor=ada&since=${encodeURIComponent(new Date(0).toISOString())}&limit=1`)).body);
    expect(since.events).toHaveLength(1);
  });

  it('keeps the audit table append-only in the database itself', async () => {
    const db = h().server.db;
    await expect(db.query(`UPDATE audit_events SET actor = 'nobody'`)).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    const count = await db.query<{ n: unknown }>('SELECT count(*)::int AS n FROM audit_events');
    expect(Number(count[0]?.n)).toBeGreaterThan(0);
  });

  it('applies migrations once (a restart applies nothing)', async () => {
    expect(await migrate(h().server.db)).toEqual([]);
    const rows = await h().server.db.query<{ version: unknown }>('SELECT version FROM schema_migrations');
    expect(rows.map((r) => Number(r.version)).sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('serves /openapi.json with every path, and JSON errors everywhere', async () => {
    const res = await fetch(`${h().url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/health', '/v1/me', '/v1/policy', '/v1/policy/history', '/v1/policy/versions/{n}', '/v1/approvals', '/v1/approvals/{id}', '/v1/approvals/{id}/approve', '/v1/approvals/{id}/deny', '/v1/approvals/{id}/cancel', '/v1/approvals/{id}/consume', '/v1/access/active', '/v1/audit', '/v1/events', '/v1/sessions', '/v1/sessions/{id}', '/v1/sessions/{id}/upload', '/v1/sessions/{id}/body', '/v1/sessions/{id}/index', '/v1/sessions/{id}/complete', '/.well-known/jwks.json']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const missing = await fetch(`${h().url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found' });
    const badJson = await fetch(`${h().url}/v1/approvals`, { method: 'POST', headers: { authorization: `Bearer ${await h().client('erin').token()}`, 'content-type': 'application/json' }, body: '{not json' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ code: 'invalid_input' });
    const health = await fetch(`${h().url}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });
}
