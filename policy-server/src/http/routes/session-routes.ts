/**
 * Session recordings: the resumable upload (owner only) and the read API with HTTP Range (owner,
 * or an administrator). Schemas from gateway-core's recording-upload/sessions-api.ts.
 * A session still uploading (live) is read as far as it has been uploaded; the answer's
 * SESSION_STATUS_HEADER says which, so that a reader knows whether more will follow.
 */
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  ApiError,
  CompleteSession,
  CreateSession,
  MAX_UPLOAD_CHUNK_BYTES,
  OffsetMismatch,
  Session,
  SessionIdParam,
  SessionList,
  SessionListQuery,
  SESSION_STATUS_HEADER,
  UploadOffsetQuery,
  UploadState,
  type UploadPart,
} from '@gatehouse/gateway-core';
import { parseRange } from '../../sessions/byte-range.js';
import { OffsetMismatchError } from '../../sessions/session-service.js';
import { me } from '../authenticate.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { AUTH_ERRORS, SECURITY } from './common.js';

const OCTETS = 'application/octet-stream';

export async function sessionRoutes(authed: FastifyInstance, ctx: ServerContext): Promise<void> {
  // Its own scope, so the raw-bytes parser applies to these routes only.
  await authed.register(async (scope) => {
    scope.addContentTypeParser(OCTETS, { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_CHUNK_BYTES }, (_req, body, done) => done(null, body));
    const app = scope.withTypeProvider<ZodTypeProvider>();
    const withConflict = { ...AUTH_ERRORS, 409: ApiError };
    const withRefusal = { ...withConflict, 422: ApiError };

    app.put(
      '/v1/sessions/:id',
      {
        schema: {
          summary: 'Start (or resume) uploading the recording of one of my sessions; idempotent for its owner',
          description: 'The owner is the caller. Another user’s session id is 403.',
          security: SECURITY,
          params: SessionIdParam,
          body: CreateSession,
          response: { 200: Session, 201: Session, ...withConflict },
        },
      },
      async (request, reply) => {
        const { session, created } = await ctx.sessions.create(me(request), request.params.id, request.body);
        return reply.code(created ? 201 : 200).send(session);
      },
    );

    app.get(
      '/v1/sessions/:id/upload',
      { schema: { summary: 'How many bytes of the recording and its index the server holds (resume there)', security: SECURITY, params: SessionIdParam, response: { 200: UploadState, ...AUTH_ERRORS } } },
      async (request) => ctx.sessions.uploadState(me(request), request.params.id),
    );

    app.delete(
      '/v1/sessions/:id/upload',
      { schema: { summary: 'Discard what was uploaded of an incomplete session, to send it again from 0', security: SECURITY, params: SessionIdParam, response: { 200: UploadState, ...withConflict } } },
      async (request) => ctx.sessions.reset(me(request), request.params.id),
    );

    for (const part of ['body', 'index'] as const satisfies readonly UploadPart[]) {
      app.put(
        `/v1/sessions/:id/${part}`,
        {
          bodyLimit: MAX_UPLOAD_CHUNK_BYTES,
          schema: {
            summary: `Append raw bytes (${OCTETS}, ≤ 8 MiB) to the ${part === 'body' ? 'recording' : 'index'} at exactly the server's current length`,
            description: 'A chunk at any other offset is 409 offset_mismatch with the expected offset; nothing is written.',
            security: SECURITY,
            params: SessionIdParam,
            querystring: UploadOffsetQuery,
            consumes: [OCTETS],
            response: { 200: UploadState, ...AUTH_ERRORS, 409: OffsetMismatch.or(ApiError), 413: ApiError, 415: ApiError },
          },
        },
        async (request, reply) => {
          const bytes = request.body;
          if (!Buffer.isBuffer(bytes)) throw new HttpError(415, 'unsupported_media_type', `send the bytes as ${OCTETS}`);
          try {
            return await ctx.sessions.append(me(request), request.params.id, part, request.query.offset, bytes);
          } catch (err) {
            if (err instanceof OffsetMismatchError) return reply.code(409).send({ code: 'offset_mismatch', message: err.message, expectedOffset: err.expectedOffset });
            throw err;
          }
        },
      );
    }

    app.post(
      '/v1/sessions/:id/complete',
      {
        schema: {
          summary: 'Finish an upload: the server hashes what it stored, verifies the hash chain, indexes the session',
          description: '422 hash_mismatch | chain_broken | recording_invalid | metadata_mismatch; the upload stays open.',
          security: SECURITY,
          params: SessionIdParam,
          body: CompleteSession,
          response: { 200: Session, ...withRefusal },
        },
      },
      async (request) => ctx.sessions.complete(me(request), request.params.id, request.body),
    );

    app.get(
      '/v1/sessions',
      {
        schema: {
          summary: 'Sessions, newest first: mine, or anyone’s for administrators',
          description: 'A non-administrator asking for another user is 403.',
          security: SECURITY,
          querystring: SessionListQuery,
          response: { 200: SessionList, ...AUTH_ERRORS },
        },
      },
      async (request) => ({ sessions: await ctx.sessions.list(me(request), request.query) }),
    );

    app.get(
      '/v1/sessions/:id',
      { schema: { summary: 'One session’s metadata (owner or administrators; anyone else 403)', security: SECURITY, params: SessionIdParam, response: { 200: Session, ...AUTH_ERRORS } } },
      async (request) => ctx.sessions.get(me(request), request.params.id),
    );

    for (const part of ['body', 'index'] as const) {
      // Untyped: the answer is a stream (or a 416), not a zod-serialised body.
      scope.get(
        `/v1/sessions/:id/${part}`,
        {
          schema: {
            summary: part === 'body' ? 'The recording (asciicast v2, or SQL or agent-call JSONL), with HTTP Range; opening it is audited' : 'The recording’s index (hash chain and keyframes), with HTTP Range',
            description: `A session still uploading is served as far as it has been uploaded (live view); the ${SESSION_STATUS_HEADER} header says uploading or complete.`,
            security: SECURITY,
            params: SessionIdParam,
            produces: [part === 'body' ? 'application/x-asciicast' : 'application/jsonl', OCTETS],
            response: { ...withConflict, 416: ApiError },
          },
        },
        (request, reply) => serveFile(ctx, request as FastifyRequest<{ Params: { id: string } }>, reply, part),
      );
    }
  });
}

async function serveFile(ctx: ServerContext, request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, part: UploadPart): Promise<FastifyReply> {
  const p = me(request);
  const id = request.params.id;
  const session = await ctx.sessions.get(p, id);
  const size = part === 'body' ? session.bodyBytes : session.indexBytes;
  // A live session's size is what it holds now; a range within it is served like any other.
  const range = parseRange(request.headers.range, size);
  void reply.header('accept-ranges', 'bytes').header(SESSION_STATUS_HEADER, session.status);
  if (range.kind === 'unsatisfiable') {
    return reply
      .code(416)
      .header('content-range', `bytes */${size}`)
      .send({ code: 'range_not_satisfiable', message: `the range ${request.headers.range ?? ''} is not within the ${size} bytes of the ${part}` });
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  // HEAD reads nothing, so it opens no replay.
  const { path } = await ctx.sessions.openRead(p, id, part, request.method === 'HEAD' ? -1 : start);
  const sha = part === 'body' ? session.bodySha256 : session.indexSha256;
  void reply
    // Only terminal recordings are asciicast; SQL and agent recordings (and every index) are JSONL.
    .header('content-type', part === 'body' && session.kind === 'terminal' ? 'application/x-asciicast; charset=utf-8' : 'application/jsonl; charset=utf-8')
    .header('cache-control', 'private, no-store')
    .header('content-length', String(size === 0 ? 0 : end - start + 1));
  if (sha) void reply.header('etag', `"${sha}"`);
  if (range.kind === 'partial') void reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
  if (size === 0) return reply.send('');
  return reply.send(createReadStream(path, { start, end }));
}
