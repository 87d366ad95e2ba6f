/**
 * The bearer check in front of every /v1 route. The verified principal is kept per request in
 * a WeakMap (no global request decoration), and roles are computed from the policy in force.
 */
import type { FastifyRequest } from 'fastify';
import { principalFor, type Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { PolicyService } from '../policy/policy-service.js';

const principals = new WeakMap<FastifyRequest, Principal>();

export function authenticator(verifier: TokenVerifier, policy: PolicyService) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = await verifier.verifyAuthorization(request.headers.authorization);
    principals.set(request, principalFor(token, policy.get().doc));
  };
}

/** The caller of an authenticated route. */
export function me(request: FastifyRequest): Principal {
  const p = principals.get(request);
  if (!p) throw new Error('route is missing the authentication hook');
  return p;
}
