import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError, CreatedServiceIdentity, CreateServiceIdentity, ServiceIdentity, ServiceIdentityList } from '@gatehouse/gateway-core';
import { me } from '../authenticate.js';
import type { AppContext } from '../context.js';
import { AUTH_ERRORS, IdParam, SECURITY } from './common.js';

/** Admins manage service identities (e.g. an MCP agent's); the service decides who may. */
export function serviceIdentityRoutes(authed: FastifyInstance, ctx: AppContext): void {
  const app = authed.withTypeProvider<ZodTypeProvider>();
  const withConflict = { ...AUTH_ERRORS, 409: ApiError };

  app.post(
    '/v1/service-identities',
    {
      schema: {
        summary: 'Create a service identity (admins); the answer carries its ghsvc_ token, shown this once',
        description: 'The token is not stored (only its SHA-256), so it cannot be shown again; a lost token means revoking and creating another. Names are never reused (409).',
        security: SECURITY,
        body: CreateServiceIdentity,
        response: { 201: CreatedServiceIdentity, ...withConflict },
      },
    },
    async (request, reply) => {
      const created = await ctx.serviceIdentities.create(me(request), request.body);
      // The one answer that carries a token: no cache may keep it.
      void reply.header('cache-control', 'no-store');
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v1/service-identities',
    { schema: { summary: 'Every service identity, revoked and expired ones too (admins; never tokens)', security: SECURITY, response: { 200: ServiceIdentityList, ...AUTH_ERRORS } } },
    async (request) => ({ identities: await ctx.serviceIdentities.list(me(request)) }),
  );

  app.delete(
    '/v1/service-identities/:id',
    {
      schema: {
        summary: 'Revoke a service identity (admins); its token is refused from then on',
        description: 'Effective at once on this server, and within 5 s on others sharing the database. A second revoke is 409 already_revoked.',
        security: SECURITY,
        params: IdParam,
        response: { 200: ServiceIdentity, ...withConflict },
      },
    },
    async (request) => ctx.serviceIdentities.revoke(me(request), request.params.id),
  );
}
