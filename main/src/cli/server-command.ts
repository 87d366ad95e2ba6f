/**
 * `gatehouse server`: the policy server standalone. PGlite in a data directory by default,
 * PostgreSQL with --database-url (or $GATEHOUSE_DATABASE_URL, which keeps the password out of
 * the process list). Prints the URL; Ctrl-C closes it cleanly.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ConfigError, defaultAppDataDir, loadPolicyFile } from '@gatehouse/gateway-core';
import { createServerLogger, startPolicyServer, type DatabaseOption, type IssuerConfig } from '@gatehouse/policy-server';

export interface ServerCommandOptions {
  port: number;
  host: string;
  data?: string;
  databaseUrl?: string;
  recordings?: string;
  issuer?: string;
  audience?: string;
  jwksUri?: string;
  groupsClaim?: string;
  grantIssuer?: string;
  policy?: string;
  logLevel?: string;
}

export interface ServerCommandHooks {
  /** Resolves to stop the server (default: SIGINT / SIGTERM / SIGHUP). */
  stop?: Promise<void>;
  onListening?: (url: string) => void;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export function registerServerCommand(program: Command): Command {
  return program
    .command('server')
    .description('Run the policy server: policies, approvals and grants, audit, and live events for the apps')
    .option('--port <port>', 'port to listen on', parsePort, 8787)
    .option('--host <host>', 'address to bind (127.0.0.1 keeps it on this machine)', '127.0.0.1')
    .option('--data <dir>', 'embedded database (PGlite) directory (default: <app data>/policy-server)')
    .addOption(new Option('--database-url <url>', 'PostgreSQL instead of the embedded database').env('GATEHOUSE_DATABASE_URL'))
    .option('--recordings <dir>', 'where uploaded session recordings are stored (default: <data>/recordings)')
    .option('--issuer <url>', 'OIDC issuer whose bearer tokens are accepted')
    .option('--audience <aud>', 'the audience those tokens must carry')
    .option('--jwks-uri <url>', "the issuer's JWKS (default: from its /.well-known/openid-configuration)")
    .option('--groups-claim <claim>', 'token claim holding the groups', 'groups')
    .option('--grant-issuer <name>', '"iss" of the grants this server signs', 'urn:gatehouse:policy-server')
    .option('--policy <file>', 'policy YAML to seed version 1 with when the database has none (default: the bundled policy)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug']).default('info'))
    .action(async (opts: ServerCommandOptions) => {
      process.exitCode = await runServerCommand(opts);
    });
}

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

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${value}`);
  return port;
}
