/**
 * The fastify application: zod validation and serialisation on every route, OpenAPI generated
 * from the same schemas, JSON errors, and the bearer check on everything under /v1.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { ServiceIdentityService } from '../service-identities/service-identity-service.js';
import { authenticator } from './authenticate.js';
import type { AppContext, ServerContext } from './context.js';
import { installErrorHandling } from './error-handler.js';
import { approvalRoutes } from './routes/approval-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { meRoutes, publicRoutes } from './routes/meta-routes.js';
import { policyRoutes } from './routes/policy-routes.js';
import { serviceIdentityRoutes } from './routes/service-identity-routes.js';
import { sessionRoutes } from './routes/session-routes.js';

export interface BuildAppOptions {
  logger?: FastifyBaseLogger;
  version: string;
}

export async function buildApp(serverCtx: ServerContext, options: BuildAppOptions): Promise<FastifyInstance> {
  // Made here when the caller did not: it needs nothing but what every server already has.
  const ctx: AppContext = {
    ...serverCtx,
    serviceIdentities: serverCtx.serviceIdentities ?? new ServiceIdentityService({ db: serverCtx.db, clock: serverCtx.clock, policy: serverCtx.policy }),
  };
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // A policy YAML is the largest body (PutPolicy allows 1 MB of text, JSON-escaped).
    bodyLimit: 4 * 1024 * 1024,
    return503OnClosing: true,
  }) as unknown as FastifyInstance; // generic over the logger type; routes need only the base type
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Gatehouse policy server', description: 'Policies, approvals and grants, audit, a per-user event stream, session recordings, and service identities.', version: options.version },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (OIDC) or ghsvc_ service token' } } },
    },
    transform: jsonSchemaTransform,
  });

  publicRoutes(app, ctx);
  await app.register(async (authed) => {
    authed.addHook('onRequest', authenticator(ctx.verifier, ctx.policy, ctx.serviceIdentities));
    meRoutes(authed);
    policyRoutes(authed, ctx);
    approvalRoutes(authed, ctx);
    auditRoutes(authed, ctx);
    eventRoutes(authed, ctx);
    serviceIdentityRoutes(authed, ctx);
    await sessionRoutes(authed, ctx);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
