import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ActiveAccess, ApiError, ApprovalList, ApprovalListQuery, ApprovalRequest, ConsumeGrant, CreateApprovalRequest, DecideApproval } from '@gatehouse/gateway-core';
import type { Principal } from '../../auth/principal.js';
import { me } from '../authenticate.js';
import type { ServerContext } from '../context.js';
import { forbidden, notFound } from '../http-error.js';
import { AUTH_ERRORS, IdParam, SECURITY } from './common.js';

/**
 * A service identity (an agent) asks, but never decides, whatever roles its groups give it, so
 * it has no inbox either: it sees its own requests only. People are unaffected.
 */
function serviceDecidesNothing(p: Principal): void {
  if (p.kind === 'service') throw forbidden('a service identity never decides requests; an administrator must', 'service_identity');
}

export function approvalRoutes(authed: FastifyInstance, ctx: ServerContext): void {
  const app = authed.withTypeProvider<ZodTypeProvider>();
  const withConflict = { ...AUTH_ERRORS, 409: ApiError };

  app.post(
    '/v1/approvals',
    { schema: { summary: 'Ask for approval of one SQL statement, one shell line, or time-boxed access', security: SECURITY, body: CreateApprovalRequest, response: { 201: ApprovalRequest, ...AUTH_ERRORS } } },
    async (request, reply) => {
      const created = await ctx.approvals.create(me(request), request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v1/approvals',
    { schema: { summary: 'My requests and those I may decide (scope: mine | inbox | all)', security: SECURITY, querystring: ApprovalListQuery, response: { 200: ApprovalList, ...AUTH_ERRORS } } },
    async (request) => {
      const p = me(request);
      // Its own requests only, whatever scope it asks for (an inbox scope then lists nothing).
      return { requests: await ctx.approvals.list(p, p.kind === 'service' ? { ...request.query, requester: p.subject } : request.query) };
    },
  );

  app.get(
    '/v1/approvals/:id',
    { schema: { summary: 'One request (404 unless it is mine or mine to decide)', security: SECURITY, params: IdParam, response: { 200: ApprovalRequest, ...AUTH_ERRORS } } },
    async (request) => {
      const p = me(request);
      const found = await ctx.approvals.get(p, request.params.id);
      if (p.kind === 'service' && found.requester !== p.subject) throw notFound(`no approval request "${request.params.id}"`);
      return found;
    },
  );

  for (const decision of ['approve', 'deny'] as const) {
    app.post(
      `/v1/approvals/:id/${decision}`,
      {
        schema: {
          summary: decision === 'approve' ? 'Approve (never your own); the Nth distinct approval mints the grant' : 'Deny (never your own); one denial denies',
          security: SECURITY,
          params: IdParam,
          body: DecideApproval,
          response: { 200: ApprovalRequest, ...withConflict },
        },
      },
      async (request) => {
        const p = me(request);
        serviceDecidesNothing(p);
        return ctx.approvals.decide(p, request.params.id, decision, request.body.reason);
      },
    );
  }

  app.post(
    '/v1/approvals/:id/cancel',
    { schema: { summary: 'Withdraw my pending request', security: SECURITY, params: IdParam, response: { 200: ApprovalRequest, ...withConflict } } },
    async (request) => ctx.approvals.cancel(me(request), request.params.id),
  );

  app.post(
    '/v1/approvals/:id/consume',
    {
      schema: {
        summary: 'Mark a SQL/shell grant used, just before running it; a second call is 409 grant_used',
        security: SECURITY,
        params: IdParam,
        body: ConsumeGrant,
        response: { 200: ApprovalRequest, ...withConflict },
      },
    },
    async (request) => ctx.approvals.consume(me(request), request.params.id, request.body.grantId),
  );

  app.get(
    '/v1/access/active',
    { schema: { summary: 'My approved access requests that have not run out', security: SECURITY, response: { 200: ActiveAccess, ...AUTH_ERRORS } } },
    async (request) => ({ requests: await ctx.approvals.activeAccess(me(request)) }),
  );
}
