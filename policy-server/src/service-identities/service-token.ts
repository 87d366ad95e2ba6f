/**
 * Service identities' bearer tokens: opaque, `ghsvc_` + 32 random bytes (base64url). Only the
 * SHA-256 is stored: with 256 random bits a fast hash is enough (nothing to brute-force, unlike a
 * password), and it lets a token be found by an indexed lookup instead of a scan.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SERVICE_TOKEN_PREFIX, ServiceToken } from '@gatehouse/gateway-core';

export function newServiceToken(): string {
  return `${SERVICE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Whether a bearer token is meant as a service token (and not a JWT): it says so by its prefix. */
export function isServiceToken(token: string): boolean {
  return token.startsWith(SERVICE_TOKEN_PREFIX);
}

export function isWellFormedServiceToken(token: string): boolean {
  return ServiceToken.safeParse(token).success;
}

/** Hex SHA-256, as kept in service_identities.token_sha256. */
export function serviceTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
