import { InvalidArgumentError } from 'commander';

/**
 * `--port` values: commander prints an InvalidArgumentError as a usage error ("option '--port
 * <port>' argument 'abc' is invalid. …") and exits 1; any other throw would be a stack trace.
 */
export function parsePortOption(value: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError(`a port number 0-65535, got "${value}"`);
  return port;
}
