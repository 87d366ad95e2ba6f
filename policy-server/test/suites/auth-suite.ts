/** Bearer token checks: every wrong token is a 401 with a specific reason, never echoing it. */
import { generateKeyPair, SignJWT } from 'jose';
import { expect, it } from 'vitest';
import { Me } from '@gatehouse/gateway-core';
import type { Harness } from '../support/harness.js';

export function authSuite(h: () => Harness): void {
  const meWith = async (token: string | null): Promise<{ status: number; body: { code: string; message: string } }> => {
    const res = await fetch(`${h().url}/v1/me`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { code: string; message: string } };
  };
  const refused = async (token: string | null, reason: RegExp): Promise<void> => {
    const r = await meWith(token);
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('unauthorized');
    expect(r.body.message).toMatch(reason);
    if (token) expect(r.body.message).not.toContain(token.split('.')[1] ?? token);
  };
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claims = (): Record<string, unknown> => {
    const now = Math.floor(h().clock.now().getTime() / 1000);
    return { iss: h().issuer.issuer, aud: h().issuer.audience, sub: 'mallory', groups: ['gh-admins'], iat: now, exp: now + 600 };
  };

  it('accepts a good token and maps its groups to roles', async () => {
    const r = await h().client('ada').get('/v1/me');
    expect(r.status).toBe(200);
    expect(Me.parse(r.body)).toMatchObject({ subject: 'ada', displayName: 'Ada', roles: ['admin'], canApprove: true });
    const erin = await h().client('erin').get('/v1/me');
    expect(erin.body).toMatchObject({ roles: ['support'], canApprove: false, groups: ['gh-support'] });
  });

  it('refuses a missing or non-bearer Authorization header', async () => {
    await refused(null, /missing bearer token/);
    const res = await fetch(`${h().url}/v1/me`, { headers: { authorization: 'Basic YWRhOnB3' } });
    expect(res.status).toBe(401);
  });

  it('refuses an expired token, but tolerates a few seconds of clock skew', async () => {
    const past = new Date(h().clock.now().getTime() - 3_600_000);
    await refused(await h().issuer.token('ada', { groups: ['gh-admins'], now: past, expiresInSeconds: 600 }), /expired/);
    const justExpired = new Date(h().clock.now().getTime() - 610_000);
    expect((await meWith(await h().issuer.token('ada', { groups: ['gh-admins'], now: justExpired, expiresInSeconds: 600 }))).status).toBe(200);
  });

  it('refuses a token for another audience', async () => {
    await refused(await h().issuer.token('ada', { groups: ['gh-admins'], now: h().clock.now(), audience: 'some-other-app' }), /audience/);
  });

  it('refuses a token from an issuer it does not trust', async () => {
    await refused(await h().issuer.token('ada', { groups: ['gh-admins'], now: h().clock.now(), issuer: 'https://evil.example' }), /issuer/);
  });

  it('refuses alg: none', async () => {
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, /algorithm "none" is not allowed/);
  });

  it('refuses HS256, even when keyed with the public JWK', async () => {
    const jwks = (await (await fetch(h().issuer.jwksUri)).json()) as { keys: unknown[] };
    const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'test-key-1' }).sign(secret);
    await refused(token, /algorithm "HS256" is not allowed/);
  });

  it('refuses a token signed by an unknown key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const now = h().clock.now();
    await refused(await h().issuer.token('ada', { groups: ['gh-admins'], now, key: privateKey, kid: 'not-published' }), /unknown key/);
    // The published kid with someone else's key: the signature does not verify.
    await refused(await h().issuer.token('ada', { groups: ['gh-admins'], now, key: privateKey }), /signature/);
  });

  it('refuses garbage and a token without a subject', async () => {
    await refused('not-a-jwt', /malformed|bearer/);
    const now = h().clock.now();
    await refused(await h().issuer.token('', { now }), /subject|sub/);
  });
}
