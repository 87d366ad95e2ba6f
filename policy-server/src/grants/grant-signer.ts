/**
 * The server's own grant key (ES256). It is generated on first start and kept in signing_keys,
 * so grants survive a restart and every server sharing the database signs with the same key.
 * gateway-core verifies grants against GET /.well-known/jwks.json (see publicJwks).
 */
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { GrantClaims } from '@gatehouse/gateway-core';
import type { Database } from '../storage/database.js';
import { jsonOf, strOf } from '../storage/rows.js';

export const GRANT_ALG = 'ES256';
export const GRANT_AUDIENCE = 'gatehouse-gateway';
/** The JWS `typ`, so a grant can never be mistaken for (or replayed as) an ID or access token. */
export const GRANT_TYP = 'gatehouse-grant+jwt';

export interface MintedGrant {
  id: string;
  token: string;
  expiresAt: Date;
}

export interface GrantSubject {
  requester: string;
  requestId: string;
  kind: GrantClaims['kind'];
  actionHash: string | null;
  connectionId: string;
}

export class GrantSigner {
  private constructor(
    private readonly issuer: string,
    private readonly kid: string,
    private readonly privateKey: CryptoKey,
    private readonly jwks: JSONWebKeySet,
  ) {}

  static async open(db: Database, issuer: string): Promise<GrantSigner> {
    let rows = await db.query('SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC, kid');
    if (rows.length === 0) {
      const { privateKey, publicKey } = await generateKeyPair(GRANT_ALG, { extractable: true });
      const publicJwk = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(publicJwk);
      const full: JWK = { ...publicJwk, kid, alg: GRANT_ALG, use: 'sig' };
      // ON CONFLICT DO NOTHING and re-read: two servers starting together agree on one key.
      await db.query(
        `INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3::jsonb, $4::jsonb, now()) ON CONFLICT DO NOTHING`,
        [kid, GRANT_ALG, JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: GRANT_ALG }), JSON.stringify(full)],
      );
      rows = await db.query('SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC, kid');
    }
    const newest = rows[0];
    if (!newest) throw new Error('no grant signing key');
    const privateKey = await importJWK(jsonOf(newest.private_jwk) as JWK, GRANT_ALG);
    if (!('type' in privateKey)) throw new Error('the grant signing key did not import as a CryptoKey');
    const jwks = { keys: rows.map((r) => jsonOf(r.public_jwk) as JWK) };
    return new GrantSigner(issuer, strOf(newest.kid), privateKey, jwks);
  }

  /** Public keys only; what gateway-core verifies grants with. */
  publicJwks(): JSONWebKeySet {
    return this.jwks;
  }

  get issuerName(): string {
    return this.issuer;
  }

  async mint(subject: GrantSubject, issuedAt: Date, expiresAt: Date): Promise<MintedGrant> {
    const id = `g_${randomUUID()}`;
    const claims: Omit<GrantClaims, 'iss' | 'aud' | 'sub' | 'jti' | 'exp' | 'iat'> = {
      rid: subject.requestId,
      kind: subject.kind,
      act: subject.actionHash,
      con: subject.connectionId,
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: GRANT_ALG, kid: this.kid, typ: GRANT_TYP })
      .setIssuer(this.issuer)
      .setAudience(GRANT_AUDIENCE)
      .setSubject(subject.requester)
      .setJti(id)
      .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.privateKey);
    return { id, token, expiresAt };
  }
}
