// What `gatehouse server` does; server-command.ts registers it (and is what callers import).
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ConfigError, defaultAppDataDir, loadPolicyFile } from '@gatehouse/gateway-core';
import { createServerLogger, startPolicyServer, type DatabaseOption, type IssuerConfig } from '@gatehouse/policy-server';
import type { ServerCommandHooks, ServerCommandOptions } from './server-command.js';

export async function runServerCommand(opts: ServerCommandOptions, hooks: ServerCommandHooks = {}): Promise<number> {
  const out = hooks.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const err = hooks.err ?? ((line: string) => void process.stderr.write(`gatehouse server: ${line}\n`));

  if ((opts.issuer === undefined) !== (opts.audience === undefined)) {
    err('--issuer and --audience go together');
    return 2;
  }
  let initialPolicyYaml: string | undefined;
  if (opts.policy) {
    try {
      loadPolicyFile(opts.policy); // validated whole before anything starts
      initialPolicyYaml = readFileSync(opts.policy, 'utf8');
    } catch (e) {
      if (e instanceof ConfigError) {
        err(`invalid policy: ${e.message}`);
        return 2;
      }
      throw e;
    }
  }
  const issuers: IssuerConfig[] = [];
  if (opts.issuer && opts.audience) {
    try {
      issuers.push({ issuer: opts.issuer, audience: opts.audience, jwksUri: opts.jwksUri ?? (await discoverJwksUri(opts.issuer)) });
    } catch (e) {
      err(`cannot find the issuer's keys: ${(e as Error).message}; pass --jwks-uri`);
      return 2;
    }
  } else {
    err('no --issuer: every /v1 call will be refused (401) until one is configured');
  }

  const dataDir = opts.data ?? join(defaultAppDataDir(), 'policy-server');
  const database: DatabaseOption = opts.databaseUrl ? { kind: 'postgres', url: opts.databaseUrl } : { kind: 'pglite', dataDir };
  // Recordings are files, never rows: beside the embedded database, or under --data with PostgreSQL.
  const recordingsDir = opts.recordings ?? join(dataDir, 'recordings');
  const logger = createServerLogger({ level: opts.logLevel ?? 'info' });
  let server: Awaited<ReturnType<typeof startPolicyServer>>;
  try {
    server = await startPolicyServer({
      database,
      issuers,
      groupsClaim: opts.groupsClaim ?? 'groups',
      ...(opts.grantIssuer ? { issuer: opts.grantIssuer } : {}),
      ...(initialPolicyYaml ? { initialPolicyYaml } : {}),
      logger,
      recordingsDir,
      host: opts.host,
      port: opts.port,
    });
  } catch (e) {
    // Never print the database URL: it may hold a password.
    err(`failed to start: ${(e as Error).message}`);
    return 1;
  }
  out(`Gatehouse policy server is running at ${server.url}`);
  err(`${database.kind === 'postgres' ? 'PostgreSQL' : `data in ${database.dataDir}`}; recordings in ${recordingsDir}; OpenAPI at ${server.url}/openapi.json; press Ctrl-C to stop`);
  hooks.onListening?.(server.url);

  await (hooks.stop ??
    new Promise<void>((resolve) => {
      // Stay subscribed after the first signal, so a second Ctrl-C does not kill the cleanup.
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => resolve());
    }));
  err('stopping');
  await server.close();
  return 0;
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const res = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`discovery answered ${res.status}`);
  const doc = (await res.json()) as { jwks_uri?: unknown };
  if (typeof doc.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri');
  return doc.jwks_uri;
}
