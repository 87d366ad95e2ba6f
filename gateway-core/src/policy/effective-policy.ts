import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { Identity } from '../contract/bridge-contract.js';
import type { PolicyDocument, RolePolicy } from './policy-document.js';

export interface EffectivePolicy {
  role: string;
  policy: RolePolicy;
}

/**
 * The role that governs this identity: the first of its roles that the policy defines. Roles are
 * not merged, so one permissive role can never loosen another's masking or rules by accident.
 */
export function effectivePolicy(doc: PolicyDocument, identity: Pick<Identity, 'id' | 'roles'>): EffectivePolicy {
  for (const role of identity.roles) {
    const policy = doc.roles[role];
    if (policy) return { role, policy };
  }
  throw new GatehouseError('forbidden', `No policy role applies to ${identity.id} (roles: ${identity.roles.join(', ') || 'none'})`);
}

export function mayUseConnection(policy: RolePolicy, connectionId: string): boolean {
  return matchesAny(policy.connections, connectionId);
}

/** Whether a connection id matches any of these globs (`*` matches anything). */
export function matchesAny(globs: readonly string[], connectionId: string): boolean {
  return globs.some((pattern) => globToRegExp(pattern).test(connectionId));
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}
