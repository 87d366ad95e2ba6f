import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Me } from '@gatehouse/gateway-core';
import { z } from 'zod';
import { me } from '../authenticate.js';
import type { ServerContext } from '../context.js';
import { AUTH_ERRORS, SECURITY } from './common.js';

/** Unauthenticated: health and the grant JWKS. */
export function publicRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/health',
    { schema: { summary: 'Liveness: the server answers and its database does', response: { 200: z.object({ status: z.literal('ok'), policyVersion: z.number().int() }) } } },
    async () => {
      await ctx.db.query('SELECT 1');
      return { status: 'ok' as const, policyVersion: ctx.policy.get().version };
    },
  );

  app.get('/.well-known/jwks.json', { schema: { summary: 'Public keys that verify grants (ES256)' } }, async (_req, reply) => {
    void reply.header('cache-control', 'public, max-age=300');
    return ctx.grants.publicJwks();
  });
}

/** Who am I. */
export function meRoutes(authed: FastifyInstance): void {
  authed.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me',
    { schema: { summary: 'The signed-in caller, their policy roles, and whether they may approve', security: SECURITY, response: { 200: Me, ...AUTH_ERRORS } } },
    async (request) => {
      const p = me(request);
      return { subject: p.subject, displayName: p.displayName, email: p.email, groups: p.groups, roles: p.roles, canApprove: p.canApprove };
    },
  );
}
