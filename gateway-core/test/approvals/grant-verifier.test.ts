import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionHash } from '../../src/approvals/action-hash.js';
import { GrantVerifier, type GrantExpectation } from '../../src/approvals/grant-verifier.js';

// The policy server's grant key, published on a real loopback JWKS endpoint.
let server: Server;
let jwksUrl: URL;
let serverKey: CryptoKey;
let strangerKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  serverKey = pair.privateKey;
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'grant-key', alg: 'ES256' };
  server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  jwksUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const UPDATE = "UPDATE customers SET email = 'new@example.com' WHERE id = 7";
const expectation: GrantExpectation = { kind: 'sql', action: UPDATE, connectionId: 'prod-db', requesterId: 'erin', requestId: 'apr_1' };

async function grant(overrides: Record<string, unknown> = {}, key = serverKey, expSeconds = 300): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ rid: 'apr_1', kind: 'sql', act: actionHash('sql', UPDATE), con: 'prod-db', ...overrides })
    .setProtectedHeader({ alg: 'ES256', kid: 'grant-key' })
    .setIssuer('gatehouse-policy-server')
    .setAudience('gatehouse-gateway')
    .setSubject('erin')
    .setJti('grt_1')
    .setIssuedAt(now)
    .setExpirationTime(now + expSeconds)
    .sign(key);
}

describe('a grant is bound to exactly one action (invariant 4)', () => {
  it('accepts the grant for the exact statement, connection and requester', async () => {
    const claims = await new GrantVerifier(jwksUrl).verify(await grant(), expectation);
    expect(claims).toMatchObject({ rid: 'apr_1', con: 'prod-db', sub: 'erin' });
  });

  it('ignores only outer whitespace and line endings: the same statement still passes', async () => {
    await expect(new GrantVerifier(jwksUrl).verify(await grant(), { ...expectation, action: `  ${UPDATE}\r\n` })).resolves.toBeDefined();
  });

  it('refuses a grant for statement A when running statement B', async () => {
    const b = UPDATE.replace('id = 7', 'id = 8');
    await expect(new GrantVerifier(jwksUrl).verify(await grant(), { ...expectation, action: b })).rejects.toThrow(/statement differs/);
  });

  it('refuses statement A on another connection', async () => {
    await expect(new GrantVerifier(jwksUrl).verify(await grant(), { ...expectation, connectionId: 'other-db' })).rejects.toThrow(/connection "prod-db", not "other-db"/);
  });

  it('refuses a grant issued to someone else, or for another request', async () => {
    const v = new GrantVerifier(jwksUrl);
    await expect(v.verify(await grant(), { ...expectation, requesterId: 'mallory' })).rejects.toThrow(/someone else/);
    await expect(v.verify(await grant(), { ...expectation, requestId: 'apr_2' })).rejects.toThrow(/another request/);
  });

  it('refuses a SQL grant for a shell line with the same text', async () => {
    await expect(new GrantVerifier(jwksUrl).verify(await grant(), { ...expectation, kind: 'shell' })).rejects.toThrow(/sql action, not shell/);
  });

  it('refuses an expired grant', async () => {
    await expect(new GrantVerifier(jwksUrl).verify(await grant({}, serverKey, -60), expectation)).rejects.toThrow(/expired/);
  });

  it('refuses a grant signed by any key but the policy server’s', async () => {
    await expect(new GrantVerifier(jwksUrl).verify(await grant({}, strangerKey), expectation)).rejects.toThrow(/not valid/);
  });

  it('refuses a grant used once already', async () => {
    const v = new GrantVerifier(jwksUrl);
    const token = await grant();
    await v.verify(token, expectation);
    expect(v.markUsed('grt_1')).toBe(true);
    await expect(v.verify(token, expectation)).rejects.toThrow(/already used/);
    expect(v.markUsed('grt_1')).toBe(false);
  });
});
