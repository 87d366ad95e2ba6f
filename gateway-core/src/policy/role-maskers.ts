import { GatehouseError } from '../bridge/gatehouse-error.js';
import { createMasker, type Masker } from '../masking/index.js';
import type { RolePolicy } from './policy-document.js';

/**
 * One masker per role policy object. A policy update replaces the role objects, so the cache
 * follows it without being told; a role whose masking cannot be built shows nothing (fail closed).
 */
export class RoleMaskers {
  private readonly cache = new WeakMap<RolePolicy, Masker>();

  for(policy: RolePolicy): Masker {
    let masker = this.cache.get(policy);
    if (!masker) {
      try {
        masker = createMasker(policy.masking);
      } catch {
        throw new GatehouseError('internal', 'The masking policy could not be loaded, so nothing can be shown');
      }
      this.cache.set(policy, masker);
    }
    return masker;
  }
}
