/**
 * Approval rules from the policy (BRIEF §4, invariant 4): who may approve whose requests, and
 * which roles a set of OIDC groups maps to. Pure functions, shared by the policy server (which
 * decides) and gateway-core (which shows who can act).
 */
import type { PolicyDocument, RoleApproval } from './policy-document.js';

/** The policy's roles (in document order) that any of these groups maps to. */
export function rolesForGroups(doc: PolicyDocument, groups: readonly string[]): string[] {
  const have = new Set(groups);
  return Object.entries(doc.roles)
    .filter(([name, role]) => (role.groups ?? [name]).some((g) => have.has(g)))
    .map(([name]) => name);
}

/** The approval settings for requests made under `requesterRole`, or null when none can be approved. */
export function approvalRuleFor(doc: PolicyDocument, requesterRole: string): RoleApproval | null {
  return doc.roles[requesterRole]?.approval ?? null;
}

/**
 * Whether someone holding `approverRoles` may decide a request made under `requesterRole`.
 * Self-approval is checked separately, by identity, because a person's roles say nothing of it.
 */
export function mayApprove(doc: PolicyDocument, requesterRole: string, approverRoles: readonly string[]): boolean {
  const rule = approvalRuleFor(doc, requesterRole);
  return rule !== null && approverRoles.some((r) => rule.approvers.includes(r));
}
