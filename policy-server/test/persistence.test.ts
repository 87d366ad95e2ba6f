/**
 * State survives a restart on a PGlite data directory: the grant key (so grants issued before
 * still verify), the policy versions, requests and audit; migrations are not re-applied. Also
 * covers the demo entry point with an inline (local) JWKS.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalRequest, createMasker, createSqlRecorder, indexPathFor, SessionClient, type Logger } from '@gatehouse/gateway-core';
import { MIGRATIONS, startDemoPolicyServer } from '../src/index.js';
import { pgliteTemplate } from './support/pglite-template.js';

describe('PGlite data directory and the demo server', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-policy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps key, policy, requests and audit across a restart; trusts only the demo issuer', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const issuer = { issuer: 'urn:gatehouse:demo-idp', audience: 'gatehouse-demo', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'demo', alg: 'ES256' }] } };
    const sign = (sub: string, groups: string[]): Promise<string> =>
      new SignJWT({ groups, name: sub }).setProtectedHeader({ alg: 'ES256', kid: 'demo' }).setIssuer(issuer.issuer).setAudience(issuer.audience).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(privateKey);
    const call = async (url: string, sub: string, groups: string[], method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${await sign(sub, groups)}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    const first = await startDemoPolicyServer({ issuer, dataDir: dir, template: await pgliteTemplate() });
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The demo identities: engineer (support) and admin (admin, support), with the default policy.
    const me = await call(first.url, 'admin', ['admin', 'support'], 'GET', '/v1/me');
    expect(me.body).toMatchObject({ roles: ['admin', 'support'], canApprove: true });
    const created = await call(first.url, 'engineer', ['support'], 'POST', '/v1/approvals', { kind: 'sql', connectionId: 'demo-postgres', action: 'UPDATE customers SET email = NULL WHERE id = 3', actionClass: 'write', rule: 'write', justification: 'GDPR erasure' });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((await call(first.url, 'admin', ['admin', 'support'], 'POST', `/v1/approvals/${id}/approve`, { reason: 'ok' })).body.status).toBe('approved');
    const jwksBefore = await (await fetch(first.jwksUrl)).json();
    await first.close();

    const second = await startDemoPolicyServer({ issuer, dataDir: dir, template: await pgliteTemplate() });
    try {
      expect(await (await fetch(second.jwksUrl)).json()).toEqual(jwksBefore);
      const again = ApprovalRequest.parse((await call(second.url, 'engineer', ['support'], 'GET', `/v1/approvals/${id}`)).body);
      expect(again.status).toBe('approved');
      expect(again.grant).not.toBeNull();
      const audit = await call(second.url, 'admin', ['admin', 'support'], 'GET', `/v1/audit?requestId=${id}`);
      expect((audit.body.events as unknown[]).length).toBe(3);
      expect((await call(second.url, 'admin', ['admin'], 'GET', '/v1/policy')).body.version).toBe(1);
      const migrations = await second.db.query('SELECT version FROM schema_migrations');
      expect(migrations).toHaveLength(MIGRATIONS.length);
      // A token from any other issuer is refused.
      const stranger = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'demo' }).setIssuer('https://elsewhere').setAudience(issuer.audience).setSubject('x').setIssuedAt().setExpirationTime('10m').sign(privateKey);
      expect((await fetch(`${second.url}/v1/me`, { headers: { authorization: `Bearer ${stranger}` } })).status).toBe(401);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('keeps uploaded recordings (row and files under <data>/recordings) across a restart', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const issuer = { issuer: 'urn:gatehouse:demo-idp', audience: 'gatehouse-demo', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'demo', alg: 'ES256' }] } };
    const token = (): Promise<string> =>
      new SignJWT({ groups: ['support'], name: 'engineer' }).setProtectedHeader({ alg: 'ES256', kid: 'demo' }).setIssuer(issuer.issuer).setAudience(issuer.audience).setSubject('engineer').setIssuedAt().setExpirationTime('10m').sign(privateKey);
    const dataDir = join(dir, 'with-recordings');
    const path = join(dir, 'rec.sql.jsonl');
    const rec = createSqlRecorder({ path, sessionId: 'persisted-1', user: 'engineer', connectionId: 'demo-postgres', logger: { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger });
    rec.begin('SELECT 42', createMasker({ detectors: 'all', columns: {} }));
    await rec.close();
    const body = await readFile(path);
    const index = await readFile(indexPathFor(path));
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

    const first = await startDemoPolicyServer({ issuer, dataDir, template: await pgliteTemplate() });
    expect(first.recordingsDir).toBe(join(dataDir, 'recordings'));
    const client = new SessionClient({ baseUrl: first.url, accessToken: token, currentIdentity: () => 'engineer' });
    const t = await token();
    await client.createSession(t, 'persisted-1', { kind: 'sql', connectionId: 'demo-postgres', startedAt: new Date().toISOString() });
    await client.append(t, 'persisted-1', 'body', 0, body);
    await client.append(t, 'persisted-1', 'index', 0, index);
    expect((await client.complete(t, 'persisted-1', { bodySha256: sha(body), indexSha256: sha(index) })).status).toBe('complete');
    await first.close();

    const second = await startDemoPolicyServer({ issuer, dataDir, template: await pgliteTemplate() });
    try {
      const res = await fetch(`${second.url}/v1/sessions/persisted-1/body`, { headers: { authorization: `Bearer ${await token()}` } });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    } finally {
      await second.close();
    }
  });
});
