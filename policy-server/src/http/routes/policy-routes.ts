import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError, PolicyHistory, PolicyVersion, PutPolicy, rolesForGroups } from '@gatehouse/gateway-core';
import { z } from 'zod';
import { approverRoles } from '../../auth/principal.js';
import { badRequest, forbidden } from '../http-error.js';
import { me } from '../authenticate.js';
import type { ServerContext } from '../context.js';
import { AUTH_ERRORS, SECURITY } from './common.js';

export function policyRoutes(authed: FastifyInstance, ctx: ServerContext): void {
  const app = authed.withTypeProvider<ZodTypeProvider>();

  app.get('/v1/policy', { schema: { summary: 'The policy version in force', security: SECURITY, response: { 200: PolicyVersion, ...AUTH_ERRORS } } }, async () =>
    ctx.policy.currentVersion(),
  );

  app.put(
    '/v1/policy',
    {
      schema: {
        summary: 'Store and apply a new policy version (admins: anyone whose role approves someone)',
        description: 'The YAML is validated whole; on error the answer is 400 invalid_policy with "line N: reason", and the version in force stays.',
        security: SECURITY,
        body: PutPolicy,
        response: { 200: PolicyVersion, ...AUTH_ERRORS, 409: ApiError },
      },
    },
    async (request) => {
      const p = me(request);
      if (!p.canApprove) throw forbidden('only administrators (a role that approves others) may change the policy');
      // No self-lockout: an admin may not store a policy under which they could not fix it.
      const saved = await ctx.policy.put(request.body.yaml, request.body.comment, p.subject, (doc) => {
        const approvers = approverRoles(doc);
        if (!rolesForGroups(doc, p.groups).some((r) => approvers.has(r))) {
          throw badRequest(`under this policy your groups (${p.groups.join(', ') || 'none'}) map to no approver role, so you could not change it again`, 'invalid_policy');
        }
      });
      return saved;
    },
  );

  app.get('/v1/policy/history', { schema: { summary: 'Every policy version, newest first', security: SECURITY, response: { 200: PolicyHistory, ...AUTH_ERRORS } } }, async () => ({
    versions: await ctx.policy.history(),
  }));

  app.get(
    '/v1/policy/versions/:n',
    { schema: { summary: 'One stored policy version', security: SECURITY, params: z.object({ n: z.coerce.number().int().min(1).max(2_147_483_647) }), response: { 200: PolicyVersion, ...AUTH_ERRORS } } },
    async (request) => ctx.policy.version(request.params.n),
  );
}
