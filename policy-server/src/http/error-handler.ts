/**
 * Every error leaves the server as JSON `{code, message}` (ApiError) with a fitting status: our
 * own HttpErrors as thrown, input that fails its zod schema as 400 invalid_input naming the
 * field, fastify's own 4xx (bad JSON, body too large, …) with their status, and anything else as
 * a bare 500 whose details go to the log only.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { HttpError } from './http-error.js';

const CODES: Record<number, string> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send({ code: err.code, message: err.message });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const where = [err.validationContext, ...(first?.instancePath ?? '').split('/').filter(Boolean)].filter(Boolean).join('.');
      return reply.code(400).send({ code: 'invalid_input', message: `${where}: ${first?.message ?? 'invalid'}` });
    }
    if (!isResponseSerializationError(err) && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ code: CODES[err.statusCode] ?? 'invalid_input', message: err.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ code: 'internal', message: 'internal error; see the policy server log' });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` });
  });
}
