import { pino, type Logger } from 'pino';

/**
 * The standalone server's log: JSON lines on stderr. Fastify's request log carries method, URL
 * and status only; the redaction below is a second guard so that a bearer token, a grant or a
 * key can never be written even if someone logs a request or a row by hand.
 */
export function createServerLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token', 'grant', '*.grant', 'grantToken', '*.grantToken', 'private_jwk', '*.private_jwk', 'password', '*.password'],
        censor: '[REDACTED]',
      },
    },
    options.destination ?? process.stderr,
  );
}
