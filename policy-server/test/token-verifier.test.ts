/** TokenVerifier without a server: algorithms, skew, claims, groups, and the local JWKS path. */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../src/auth/token-verifier.js';
import { HttpError } from '../src/http/http-error.js';

const ISS = 'https://idp.test';
const AUD = 'gatehouse-policy';
const now = new Date('2026-03-01T12:00:00Z');
const clock = { now: () => now };
const secs = (d: Date): number => Math.floor(d.getTime() / 1000);

describe('TokenVerifier', () => {
  const keys: Record<string, CryptoKey> = {};
  let verifier: TokenVerifier;
  beforeAll(async () => {
    const jwks = { keys: [] as object[] };
    for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) {
      const pair = await generateKeyPair(alg, { extractable: true });
      keys[alg] = pair.privateKey;
      jwks.keys.push({ ...(await exportJWK(pair.publicKey)), kid: alg, alg });
    }
    verifier = new TokenVerifier({ issuers: [{ issuer: ISS, audience: [AUD, 'other'], jwks: jwks as never }], groupsClaim: 'roles_claim', clock });
  });

  const sign = (alg: string, claims: Record<string, unknown> = {}, opts: { iat?: Date; exp?: Date; nbf?: Date } = {}): Promise<string> => {
    const jwt = new SignJWT({ roles_claim: ['g1', 'g2'], ...claims })
      .setProtectedHeader({ alg, kid: alg })
      .setIssuer(ISS)
      .setAudience(AUD)
      .setSubject('u1')
      .setIssuedAt(secs(opts.iat ?? now))
      .setExpirationTime(secs(opts.exp ?? new Date(now.getTime() + 300_000)));
    if (opts.nbf) jwt.setNotBefore(secs(opts.nbf));
    return jwt.sign(keys[alg] as CryptoKey);
  };
  const reason = async (token: string): Promise<string> => {
    const err = await verifier.verify(token).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).statusCode).toBe(401);
    return (err as HttpError).message;
  };

  it.each(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])('accepts %s and reads the configured groups claim', async (alg) => {
    const v = await verifier.verify(await sign(alg, { name: 'Una', email: 'una@example.com' }));
    expect(v).toMatchObject({ subject: 'u1', displayName: 'Una', email: 'una@example.com', groups: ['g1', 'g2'], issuer: ISS });
  });

  it('takes a single group given as a string, ignores non-strings, and falls back for the name', async () => {
    expect((await verifier.verify(await sign('ES256', { roles_claim: 'solo' }))).groups).toEqual(['solo']);
    expect((await verifier.verify(await sign('ES256', { roles_claim: ['a', 7, null] }))).groups).toEqual(['a']);
    expect((await verifier.verify(await sign('ES256', { roles_claim: undefined, preferred_username: 'una' }))).displayName).toBe('una');
  });

  it('checks nbf and exp with 30 s of tolerance', async () => {
    expect(await reason(await sign('ES256', {}, { nbf: new Date(now.getTime() + 120_000) }))).toMatch(/not valid yet/);
    await expect(verifier.verify(await sign('ES256', {}, { nbf: new Date(now.getTime() + 20_000) }))).resolves.toBeTruthy();
    expect(await reason(await sign('ES256', {}, { iat: new Date(now.getTime() - 600_000), exp: new Date(now.getTime() - 31_000) }))).toMatch(/expired/);
    await expect(verifier.verify(await sign('ES256', {}, { iat: new Date(now.getTime() - 600_000), exp: new Date(now.getTime() - 20_000) }))).resolves.toBeTruthy();
  });

  it('refuses a person’s token whose subject claims a service identity (svc:)', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'ES256' }).setIssuer(ISS).setAudience(AUD).setSubject('svc:ci-agent').setIssuedAt(secs(now)).setExpirationTime(secs(now) + 300).sign(keys.ES256 as CryptoKey);
    expect(await reason(token)).toMatch(/reserved for service identities/);
  });

  it('refuses a token without exp', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'ES256' }).setIssuer(ISS).setAudience(AUD).setSubject('u1').setIssuedAt(secs(now)).sign(keys.ES256 as CryptoKey);
    expect(await reason(token)).toMatch(/exp/);
  });

  it('refuses an algorithm outside the allowlist even when the header lies about the key', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS512', kid: 'ES256' })).toString('base64url');
    expect(await reason(`${header}.e30.sig`)).toMatch(/"HS512" is not allowed/);
  });

  it("answers 503, not 401, when the issuer's JWKS cannot be fetched", async () => {
    const offline = new TokenVerifier({ issuers: [{ issuer: ISS, audience: AUD, jwksUri: 'http://127.0.0.1:9/jwks.json' }], clock });
    const err = await offline.verify(await sign('ES256')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ statusCode: 503, code: 'unavailable' });
  });

  it('verifies the Authorization header form', async () => {
    await expect(verifier.verifyAuthorization(undefined)).rejects.toThrow(/missing bearer/);
    await expect(verifier.verifyAuthorization('Token abc')).rejects.toThrow(/not a bearer/);
    await expect(verifier.verifyAuthorization(`bearer ${await sign('ES256')}`)).resolves.toMatchObject({ subject: 'u1' });
  });
});
