import type { Identity } from '../contract/bridge-contract.js';

/** The ID token's claims as far as Gatehouse reads them; anything else is ignored. */
export interface UserClaims {
  sub: string;
  [claim: string]: unknown;
}

/**
 * The Identity shown in the app: id = sub; the display name is the first of name,
 * preferred_username, email and sub that is present; roles come from the groups claim through
 * the policy. A groups claim may be a list or a single string; anything else counts as none.
 */
export function identityFromClaims(claims: UserClaims, groupsClaim: string, rolesFor: (groups: string[]) => string[]): Identity {
  const text = (name: string): string | undefined => {
    const value = claims[name];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  const email = text('email');
  return {
    id: claims.sub,
    displayName: text('name') ?? text('preferred_username') ?? email ?? claims.sub,
    ...(email ? { email } : {}),
    roles: rolesFor(groupsFrom(claims[groupsClaim])),
  };
}

export function groupsFrom(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}
