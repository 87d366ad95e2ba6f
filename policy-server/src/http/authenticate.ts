/**
 * The bearer check in front of every /v1 route. The verified principal is kept per request in
 * a WeakMap (no global request decoration), and roles are computed from the policy in force.
 * A `ghsvc_` token is a service identity's (looked up by hash); anything else must be a JWT from
 * a trusted issuer, verified exactly as before.
 */
import type { FastifyRequest } from 'fastify';
import { principalFor, principalForService, type Principal } from '../auth/principal.js';
import { bearerToken, type TokenVerifier } from '../auth/token-verifier.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { ServiceIdentityService } from '../service-identities/service-identity-service.js';
import { isServiceToken } from '../service-identities/service-token.js';

const principals = new WeakMap<FastifyRequest, Principal>();

export function authenticator(verifier: TokenVerifier, policy: PolicyService, services: ServiceIdentityService) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    if (isServiceToken(token)) {
      const identity = await services.verify(token);
      principals.set(request, principalForService(identity, policy.get().doc));
      return;
    }
    principals.set(request, principalFor(await verifier.verify(token), policy.get().doc));
  };
}

/** The caller of an authenticated route. */
export function me(request: FastifyRequest): Principal {
  const p = principals.get(request);
  if (!p) throw new Error('route is missing the authentication hook');
  return p;
}
