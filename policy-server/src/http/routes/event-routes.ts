import type { FastifyInstance } from 'fastify';
import { me } from '../authenticate.js';
import type { AppContext } from '../context.js';
import { SECURITY } from './common.js';

/**
 * GET /v1/events: a server-sent event stream for the caller (see EventHub for who gets what).
 * The stream ends when the token it was opened with expires, so a revoked or expired identity
 * does not keep hearing events; the client reconnects with a fresh token.
 */
export function eventRoutes(authed: FastifyInstance, ctx: AppContext): void {
  authed.get(
    '/v1/events',
    { schema: { summary: 'Server-sent events: `approval` (requests that concern me) and `policy` (a new version)', security: SECURITY, produces: ['text/event-stream'] } },
    (request, reply) => {
      const p = me(request);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      // An initial comment tells the client the stream is live (and flushes any proxy).
      res.write(': connected\n\n');
      // A service identity decides nothing, so it hears only of its own requests (and policy
      // changes): no groups, so no roles now nor after a policy change re-maps them.
      const service = p.kind === 'service' ? p.serviceIdentityId : undefined;
      const remove = ctx.hub.add(service ? { subject: p.subject, groups: [], roles: [], res } : { subject: p.subject, groups: p.groups, roles: p.roles, res });
      const stopWatching = service ? watchRevocation(ctx, service, () => res.end()) : undefined;
      let timer: NodeJS.Timeout | undefined;
      if (p.tokenExpiresAt !== null) {
        const ms = p.tokenExpiresAt * 1000 - ctx.clock.now().getTime();
        // setTimeout caps at ~24.8 days; a token living that long is closed at the cap instead.
        timer = setTimeout(() => res.end(), Math.min(Math.max(ms, 0), 2_147_483_647));
        timer.unref();
      }
      const cleanup = (): void => {
        remove();
        stopWatching?.();
        if (timer) clearTimeout(timer);
      };
      res.on('close', cleanup);
      request.raw.on('close', cleanup);
    },
  );
}

/**
 * Ends a service identity's stream when it is revoked: at once when revoked on this server, and
 * otherwise at the next periodic check (one small query per agent stream per cache period), so a
 * revocation made on another server sharing the database ends it within that bound too.
 */
function watchRevocation(ctx: AppContext, id: string, end: () => void): () => void {
  const services = ctx.serviceIdentities;
  const unsubscribe = services.onRevoked((revoked) => {
    if (revoked === id) end();
  });
  const check = setInterval(() => {
    services.stillUsable(id).then(
      (ok) => {
        if (!ok) end();
      },
      () => undefined, // the database is busy or gone: the next request will say so, not the stream
    );
  }, Math.max(services.cacheMs, 1_000));
  check.unref();
  return () => {
    unsubscribe();
    clearInterval(check);
  };
}
