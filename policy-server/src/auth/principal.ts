import { rolesForGroups, type PolicyDocument } from '@gatehouse/gateway-core';
import type { VerifiedServiceIdentity } from '../service-identities/service-identity-service.js';
import type { VerifiedToken } from './token-verifier.js';

/** The caller of one request: who they are (from the token) and what policy makes of them. */
export interface Principal {
  /** `user`: an OIDC (or demo) JWT; `service`: a service identity's `ghsvc_` token, e.g. an agent. */
  kind: 'user' | 'service';
  /** Service identities only: the row's id, so that an open event stream can end on revocation. */
  serviceIdentityId?: string;
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
    kind: 'user',
    subject: token.subject,
    displayName: token.displayName,
    email: token.email,
    groups: token.groups,
    roles,
    canApprove: roles.some((r) => approvers.has(r)),
    tokenExpiresAt: token.expiresAt,
  };
}

/**
 * A service identity's groups map to roles exactly like a person's, so policy governs what it
 * may reach and ask for. It never approves, though, whatever its roles: an unattended token must
 * not be able to grant what it (or anyone) asked for, so canApprove is false and the approval
 * routes refuse its decisions.
 */
export function principalForService(identity: VerifiedServiceIdentity, doc: PolicyDocument): Principal {
  return {
    kind: 'service',
    serviceIdentityId: identity.id,
    subject: identity.subject,
    displayName: identity.displayName,
    email: null,
    groups: identity.groups,
    roles: rolesForGroups(doc, identity.groups),
    canApprove: false,
    tokenExpiresAt: identity.expiresAt,
  };
}

/** The requester roles whose requests someone with `roles` may decide (mayApprove, inverted). */
export function decidableRoles(doc: PolicyDocument, roles: readonly string[]): string[] {
  return Object.entries(doc.roles)
    .filter(([, role]) => role.approval?.approvers.some((a) => roles.includes(a)))
    .map(([name]) => name);
}
