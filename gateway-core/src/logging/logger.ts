import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger as PinoLogger } from 'pino';
import type { SecretScrubber } from './secret-scrubber.js';

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug'>;

/** Field names whose values never reach a log, wherever they sit in a logged object. */
const REDACT_PATHS = [
  'password',
  'secret',
  'privateKey',
  'passphrase',
  'token',
  '*.password',
  '*.secret',
  '*.privateKey',
  '*.passphrase',
  '*.token',
];

export interface LoggerOptions {
  /** A file to append JSON lines to; without it, logs go nowhere (tests, CLI one-shots). */
  file?: string;
  level?: string;
  scrubber: SecretScrubber;
}

export function createLogger(options: LoggerOptions): Logger {
  if (!options.file) return pino({ enabled: false });
  mkdirSync(dirname(options.file), { recursive: true });
  const destination = pino.destination({ dest: options.file, sync: false, mkdir: true });
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: (line) => options.scrubber.scrub(line) },
    },
    destination,
  );
}
