/**
 * The offline demo's built-in token issuer: signs short-lived JWTs for the demo identities with a
 * key made at start, so the in-process policy server verifies demo users exactly as it verifies
 * OIDC users (issuer, audience, expiry, algorithm), through a local JWKS.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { Identity } from '../contract/bridge-contract.js';

export const DEMO_ISSUER = 'urn:gatehouse:demo-issuer';
export const POLICY_SERVER_AUDIENCE = 'gatehouse-policy-server';

const TOKEN_SECONDS = 600;

export class DemoIssuer {
  private readonly cache = new Map<string, { token: string; exp: number }>();

  private constructor(
    private readonly privateKey: CryptoKey,
    readonly jwks: JSONWebKeySet,
    private readonly kid: string,
  ) {}

  static async create(): Promise<DemoIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    return new DemoIssuer(privateKey, { keys: [jwk] }, kid);
  }

  /**
   * The demo's key kept in its data folder (0600), so that `gatehouse approvals --demo` can act as
   * a demo admin against the running demo. It signs demo identities only, for the demo's own
   * in-process policy server; it is as secret as the demo's data folder and no more.
   */
  static async openOrCreate(keyFile: string): Promise<DemoIssuer> {
    if (existsSync(keyFile)) {
      const saved = JSON.parse(readFileSync(keyFile, 'utf8')) as { kid: string; privateJwk: JWK };
      const privateKey = (await importJWK(saved.privateJwk, 'ES256')) as CryptoKey;
      const { d: _d, ...publicJwk } = saved.privateJwk;
      return new DemoIssuer(privateKey, { keys: [{ ...publicJwk, kid: saved.kid, alg: 'ES256', use: 'sig' }] }, saved.kid);
    }
    const issuer = await DemoIssuer.create();
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, JSON.stringify({ kid: issuer.kid, privateJwk: await exportJWK(issuer.privateKey) }), { mode: 0o600 });
    return issuer;
  }

  readonly issuer = DEMO_ISSUER;
  readonly audience = POLICY_SERVER_AUDIENCE;

  /** A token for this identity; its roles travel as the groups claim, as from an OIDC provider. */
  async tokenFor(identity: Identity): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const cached = this.cache.get(identity.id);
    if (cached && cached.exp - now > 60) return cached.token;
    const token = await new SignJWT({ name: identity.displayName, ...(identity.email ? { email: identity.email } : {}), groups: identity.roles })
      .setProtectedHeader({ alg: 'ES256', kid: this.kid, typ: 'JWT' })
      .setIssuer(DEMO_ISSUER)
      .setAudience(POLICY_SERVER_AUDIENCE)
      .setSubject(identity.id)
      .setIssuedAt(now)
      .setExpirationTime(now + TOKEN_SECONDS)
      .sign(this.privateKey);
    this.cache.set(identity.id, { token, exp: now + TOKEN_SECONDS });
    return token;
  }
}
