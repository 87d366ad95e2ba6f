import { rolesForGroups, type PolicyDocument } from '@gatehouse/gateway-core';
import type { VerifiedToken } from './token-verifier.js';

/** The caller of one request: who they are (from the token) and what policy makes of them. */
export interface Principal {
  subject: string;
  displayName: string;
  email: string | null;
  groups: string[];
  /** Policy roles, in policy order; the first governs what this person may do. */
  roles: string[];
  /** May decide someone's requests: one of my roles is an approver for some role. */
  canApprove: boolean;
  tokenExpiresAt: number | null;
}

/** The roles that some role's approval rule names as approvers. */
export function approverRoles(doc: PolicyDocument): Set<string> {
  const roles = new Set<string>();
  for (const role of Object.values(doc.roles)) for (const a of role.approval?.approvers ?? []) roles.add(a);
  return roles;
}

export function principalFor(token: VerifiedToken, doc: PolicyDocument): Principal {
  const roles = rolesForGroups(doc, token.groups);
  const approvers = approverRoles(doc);
  return {
    subject: token.subject,
    displayName: token.displayName,
    email: token.email,
    groups: token.groups,
    roles,
    canApprove: roles.some((r) => approvers.has(r)),
    tokenExpiresAt: token.expiresAt,
  };
}

/** The requester roles whose requests someone with `roles` may decide (mayApprove, inverted). */
export function decidableRoles(doc: PolicyDocument, roles: readonly string[]): string[] {
  return Object.entries(doc.roles)
    .filter(([, role]) => role.approval?.approvers.some((a) => roles.includes(a)))
    .map(([name]) => name);
}
