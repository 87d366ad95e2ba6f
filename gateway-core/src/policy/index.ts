export { PolicyDocument, RolePolicy, RoleLimits } from './policy-document.js';
export { effectivePolicy, mayUseConnection, matchesAny, type EffectivePolicy } from './effective-policy.js';
export { loadPolicyFile, parsePolicyYaml, DEFAULT_POLICY_PATH } from './load-policy.js';
export { PolicyStore } from './policy-store.js';
