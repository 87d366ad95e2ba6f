/**
 * Checks a grant before gateway-core runs what it allows (invariant 4): signed by the policy
 * server's own key, for exactly this action (hash), connection and requester, unexpired, and
 * never used before. Any doubt refuses; nothing here is lenient.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import { actionHash, type ActionKind } from './action-hash.js';
import { GrantClaims } from './policy-server-api.js';

export interface GrantExpectation {
  kind: ActionKind;
  /** The exact statement or command line about to run; null for access grants. */
  action: string | null;
  connectionId: string;
  requesterId: string;
  requestId: string;
}

export class GrantVerifier {
  private keys: JWTVerifyGetKey | null = null;
  /** Grants spent by this app; the server keeps the authoritative record, this is the second lock. */
  private readonly used = new Set<string>();

  constructor(
    private readonly jwksUrl: URL | (() => Promise<URL>),
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string, expected: GrantExpectation): Promise<GrantClaims> {
    if (!this.keys) {
      const url = typeof this.jwksUrl === 'function' ? await this.jwksUrl() : this.jwksUrl;
      this.keys = createRemoteJWKSet(url, { cooldownDuration: 5_000, timeoutDuration: 5_000 });
    }
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        audience: 'gatehouse-gateway',
        algorithms: ['ES256'],
        currentDate: new Date(this.now()),
        clockTolerance: 5,
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw refuse('the approval has expired');
      throw refuse(`the grant is not valid (${code ?? 'unverifiable'})`);
    }
    const parsed = GrantClaims.safeParse(payload);
    if (!parsed.success) throw refuse('the grant does not carry the expected claims');
    const claims = parsed.data;
    if (claims.rid !== expected.requestId) throw refuse('the grant belongs to another request');
    if (claims.kind !== expected.kind) throw refuse(`the grant is for a ${claims.kind} action, not ${expected.kind}`);
    if (claims.con !== expected.connectionId) throw refuse(`the grant is for the connection "${claims.con}", not "${expected.connectionId}"`);
    if (claims.sub !== expected.requesterId) throw refuse('the grant was issued to someone else');
    const hash = expected.action === null ? null : actionHash(expected.kind, expected.action);
    if (claims.act !== hash) throw refuse(expected.kind === 'sql' ? 'the statement differs from the approved one' : 'the command line differs from the approved one');
    if (this.used.has(claims.jti)) throw refuse('the grant was already used');
    return claims;
  }

  /** Marks a grant spent in this app; returns false when it already was. */
  markUsed(grantId: string): boolean {
    if (this.used.has(grantId)) return false;
    this.used.add(grantId);
    return true;
  }
}

function refuse(why: string): GatehouseError {
  return new GatehouseError('forbidden', `Not run: ${why}`);
}
