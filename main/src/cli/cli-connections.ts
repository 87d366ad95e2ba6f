// Where the one-shot commands (`gatehouse sql`, `gatehouse ssh`) find a connection: the
// connections file when it names the id, otherwise the offline demo for the demo's own ids.
// Shared so both commands accept the same ids and say the same thing when one is missing.
import { loadConnectionsFile, type ConnectionConfig } from '@gatehouse/gateway-core';

export type ConnectionSource = { kind: 'config'; path: string; connections: ConnectionConfig[] } | { kind: 'demo' };

/** A connection id that neither the file nor the demo provides (exit code 2, like a usage error). */
export class UnknownConnectionError extends Error {}

/** The connections file in force: --config, else $GATEHOUSE_CONFIG (an empty value means none). */
export function configPathFrom(option: string | undefined): string | undefined {
  return option ?? (process.env.GATEHOUSE_CONFIG || undefined);
}

/**
 * Picks the source of `connectionId`. A file that names the id wins, so a config can shadow a
 * demo id; any other id in a file's presence is left to the caller (it reports it in its own
 * words). Throws ConfigError for a bad file and UnknownConnectionError for an unknown id.
 */
export function connectionSource(connectionId: string, demoId: string, configOption: string | undefined): ConnectionSource {
  const path = configPathFrom(configOption);
  if (path) {
    const { connections } = loadConnectionsFile(path);
    if (connections.some((c) => c.id === connectionId) || connectionId !== demoId) return { kind: 'config', path, connections };
  }
  if (connectionId === demoId) return { kind: 'demo' };
  throw new UnknownConnectionError(`no connection "${connectionId}": pass --config FILE (or set GATEHOUSE_CONFIG), or use ${demoId} for the offline demo`);
}
