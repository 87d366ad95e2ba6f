/**
 * A test OIDC issuer made with jose: an ES256 key whose JWKS is served by a tiny local HTTP
 * server, so the policy server's createRemoteJWKSet path is exercised for real.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface TestIssuer {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** Signs a token for `sub` at the given clock time; `claims` overrides anything. */
  token(sub: string, opts?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

export interface TokenOptions {
  groups?: string[];
  name?: string;
  email?: string;
  now?: Date;
  expiresInSeconds?: number;
  claims?: Record<string, unknown>;
  issuer?: string;
  audience?: string;
  /** Sign with this key instead of the published one (an unknown key). */
  key?: CryptoKey;
  kid?: string;
}

export async function startTestIssuer(audience = 'gatehouse-policy'): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'ES256', use: 'sig' };
  let base = '';
  const server: Server = createServer((req, res) => {
    if (req.url === '/issuer/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: `${base}/issuer`, jwks_uri: `${base}/jwks.json` }));
    } else if (req.url === '/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/issuer`;
  return {
    issuer,
    audience,
    jwksUri: `${base}/jwks.json`,
    async token(sub, o = {}) {
      const now = Math.floor((o.now ?? new Date()).getTime() / 1000);
      return new SignJWT({
        ...(o.groups ? { groups: o.groups } : {}),
        name: o.name ?? sub,
        ...(o.email ? { email: o.email } : {}),
        ...o.claims,
      })
        .setProtectedHeader({ alg: 'ES256', kid: o.kid ?? 'test-key-1' })
        .setIssuer(o.issuer ?? issuer)
        .setAudience(o.audience ?? audience)
        .setSubject(sub)
        .setIssuedAt(now)
        .setExpirationTime(now + (o.expiresInSeconds ?? 600))
        .sign(o.key ?? privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A settable clock shared by the server and the tokens the tests sign. */
export class TestClock {
  private t = Date.now();
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}
