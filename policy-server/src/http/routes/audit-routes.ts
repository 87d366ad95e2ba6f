import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AuditList, AuditQuery } from '@gatehouse/gateway-core';
import { queryAudit } from '../../audit/audit-log.js';
import { me } from '../authenticate.js';
import type { ServerContext } from '../context.js';
import { AUTH_ERRORS, SECURITY } from './common.js';

export function auditRoutes(authed: FastifyInstance, ctx: ServerContext): void {
  authed.withTypeProvider<ZodTypeProvider>().get(
    '/v1/audit',
    {
      schema: {
        summary: 'Audit events, newest first (approvers see all; others their own and those on their requests)',
        security: SECURITY,
        querystring: AuditQuery,
        response: { 200: AuditList, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const p = me(request);
      const q = request.query;
      return {
        events: await queryAudit(ctx.db, {
          ...q,
          ...(p.canApprove ? {} : { visibleTo: p.subject }),
        }),
      };
    },
  );
}
