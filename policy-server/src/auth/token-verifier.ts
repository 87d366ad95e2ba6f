/**
 * Bearer JWT verification against the configured OIDC issuers (jose). Every failure becomes a
 * 401 with a specific reason (expired, wrong audience, …) that never repeats the token itself.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Clock } from '../clock.js';
import { HttpError, unauthorized } from '../http/http-error.js';

/** One trusted issuer: its JWKS by URL (a real IdP) or inline (the demo's built-in issuer). */
export type IssuerConfig =
  | { issuer: string; audience: string | string[]; jwksUri: string }
  | { issuer: string; audience: string | string[]; jwks: JSONWebKeySet };

/**
 * Asymmetric algorithms only. `none` is never acceptable, and HS* must not be: with a public
 * JWKS, an HMAC "secret" would be the public key, which anyone can sign with.
 */
export const ALLOWED_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;

/** Skew tolerated between our clock and the issuer's on exp / nbf / iat. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export interface VerifiedToken {
  issuer: string;
  subject: string;
  displayName: string;
  email: string | null;
  groups: string[];
  /** Seconds since the epoch; SSE streams close when the token they were opened with expires. */
  expiresAt: number | null;
}

export interface TokenVerifierOptions {
  issuers: readonly IssuerConfig[];
  /** The claim holding the groups (default `groups`). */
  groupsClaim?: string;
  clock: Clock;
}

export class TokenVerifier {
  private readonly byIssuer = new Map<string, { config: IssuerConfig; keys: JWTVerifyGetKey }>();
  private readonly groupsClaim: string;

  constructor(private readonly options: TokenVerifierOptions) {
    this.groupsClaim = options.groupsClaim ?? 'groups';
    for (const config of options.issuers) {
      const keys = 'jwksUri' in config ? createRemoteJWKSet(new URL(config.jwksUri)) : createLocalJWKSet(config.jwks);
      this.byIssuer.set(config.issuer, { config, keys });
    }
  }

  /** Verifies the value of an Authorization header; throws a 401 HttpError. */
  async verifyAuthorization(header: string | undefined): Promise<VerifiedToken> {
    return this.verify(bearerToken(header));
  }

  async verify(token: string): Promise<VerifiedToken> {
    let alg: unknown;
    let iss: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch {
      throw unauthorized('malformed token');
    }
    // Checked before anything else, so that `none` and HS* are refused by name, whatever the key.
    if (typeof alg !== 'string' || !(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) {
      throw unauthorized(`token algorithm ${typeof alg === 'string' ? `"${alg.slice(0, 20)}"` : '(none)'} is not allowed`);
    }
    // The unverified iss only picks which key set to verify with; jwtVerify checks it again.
    const entry = typeof iss === 'string' ? this.byIssuer.get(iss) : undefined;
    if (!entry) throw unauthorized('token issuer is not trusted');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, entry.keys, {
        issuer: entry.config.issuer,
        audience: entry.config.audience,
        algorithms: [...ALLOWED_ALGORITHMS],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: this.options.clock.now(),
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      throw reasonFor(err);
    }
    return this.identity(payload, entry.config.issuer);
  }

  private identity(payload: JWTPayload, issuer: string): VerifiedToken {
    const subject = payload.sub;
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) throw unauthorized('token has no usable subject (sub)');
    // `svc:` subjects are service identities' (an agent's requests and recordings are filed under
    // them); a person's token must not be able to claim one.
    if (subject.startsWith('svc:')) throw unauthorized('token subject uses the prefix reserved for service identities (svc:)');
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v.slice(0, 200) : undefined);
    const rawGroups = payload[this.groupsClaim];
    // Some IdPs send a single group as a string; anything else that is not strings is ignored.
    const groups = typeof rawGroups === 'string' ? [rawGroups] : Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : [];
    return {
      issuer,
      subject,
      displayName: str(payload.name) ?? str(payload.preferred_username) ?? str(payload.email) ?? subject,
      email: str(payload.email) ?? null,
      groups,
      expiresAt: typeof payload.exp === 'number' ? payload.exp : null,
    };
  }
}

/** The token of an `Authorization: Bearer …` header (a JWT or a service token); a 401 otherwise. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw unauthorized('missing bearer token (Authorization: Bearer …)');
  const match = /^Bearer[ ]+([A-Za-z0-9_\-.~+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthorized('the Authorization header is not a bearer token');
  return match[1];
}

function reasonFor(err: unknown): HttpError {
  if (err instanceof errors.JWTExpired) return unauthorized('token expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'aud':
        return unauthorized('token audience is wrong');
      case 'iss':
        return unauthorized('token issuer is not trusted');
      case 'nbf':
        return unauthorized('token is not valid yet (nbf)');
      case 'iat':
        return unauthorized('token is issued in the future (iat)');
      default:
        return unauthorized(`token claim "${err.claim}" is invalid`);
    }
  }
  if (err instanceof errors.JWKSNoMatchingKey) return unauthorized('token is signed by an unknown key');
  if (err instanceof errors.JWSSignatureVerificationFailed) return unauthorized('token signature is invalid');
  if (err instanceof errors.JOSEAlgNotAllowed) return unauthorized('token algorithm is not allowed');
  // Our side cannot check the token right now: not the caller's fault, so not a 401.
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return jwksUnavailable();
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return unauthorized('malformed token');
  if (err instanceof errors.JOSEError) return unauthorized(`token rejected (${err.code})`);
  // A network failure fetching the remote JWKS surfaces as a plain error.
  return jwksUnavailable();
}

function jwksUnavailable(): HttpError {
  return new HttpError(503, 'unavailable', "the identity provider's keys (JWKS) could not be fetched; try again");
}
