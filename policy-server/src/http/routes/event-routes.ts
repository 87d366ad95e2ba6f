import type { FastifyInstance } from 'fastify';
import { me } from '../authenticate.js';
import type { ServerContext } from '../context.js';
import { SECURITY } from './common.js';

/**
 * GET /v1/events: a server-sent event stream for the caller (see EventHub for who gets what).
 * The stream ends when the token it was opened with expires, so a revoked or expired identity
 * does not keep hearing events; the client reconnects with a fresh token.
 */
export function eventRoutes(authed: FastifyInstance, ctx: ServerContext): void {
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
      const remove = ctx.hub.add({ subject: p.subject, groups: p.groups, roles: p.roles, res });
      let timer: NodeJS.Timeout | undefined;
      if (p.tokenExpiresAt !== null) {
        const ms = p.tokenExpiresAt * 1000 - ctx.clock.now().getTime();
        // setTimeout caps at ~24.8 days; a token living that long is closed at the cap instead.
        timer = setTimeout(() => res.end(), Math.min(Math.max(ms, 0), 2_147_483_647));
        timer.unref();
      }
      const cleanup = (): void => {
        remove();
        if (timer) clearTimeout(timer);
      };
      res.on('close', cleanup);
      request.raw.on('close', cleanup);
    },
  );
}
