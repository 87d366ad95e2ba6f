/**
 * `gatehouse connect <connection> [--port N]`: opens the local PostgreSQL port (issue 7) for a
 * connection of the connections file and prints what a native client needs: host, port, user,
 * the one-time password and a psql command line. The port (and its password) lives until Ctrl-C.
 *
 * The listener is reached through the package's public entry. Until gateway-core's index exports
 * `./pg-listener/index.js`, the command says so instead of starting (loaded dynamically so that
 * this file compiles either way; switch to a static import once the export is in).
 */
import { Option, type Command } from 'commander';
import {
  ConfigError,
  createLogger,
  defaultAppDataDir,
  DEMO_CONNECTION_IDS,
  DemoIdentityProvider,
  loadPolicyFile,
  openSecretStore,
  PolicyStore,
  SecretResolver,
  SecretScrubber,
  listenerPolicyFrom,
  startPgListener,
  type ConnectionConfig,
  type PgListener,
  type PolicyDocument,
} from '@gatehouse/gateway-core';
import { connectionSource, UnknownConnectionError } from './cli-connections.js';

export interface ConnectCommandOptions {
  port?: number;
  config?: string;
  policy?: string;
  dataDir?: string;
  as?: 'engineer' | 'admin';
}

type Out = Pick<NodeJS.WriteStream, 'write'>;

export function registerConnectCommand(program: Command): void {
  program
    .command('connect')
    .description('Open a local PostgreSQL port for psql, DBeaver or a driver, with the same guard and masking (Ctrl-C closes it)')
    .argument('<connection>', 'connection id from the connections file')
    .option('--port <n>', 'local port (default: a free one)', parsePortOption)
    .option('--config <file>', 'connections file (default: $GATEHOUSE_CONFIG)')
    .option('--policy <file>', 'policy file (default: the bundled default policy)')
    .option('--data-dir <dir>', 'app-data folder holding stored: secrets (default: the user app-data folder)')
    .addOption(new Option('--as <identity>', 'whose role applies').choices(['engineer', 'admin']).default('engineer'))
    .action(async (connection: string, opts: ConnectCommandOptions) => {
      process.exitCode = await runConnectCommand(connection, opts);
    });
}

function parsePortOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid port "${value}"`);
  return port;
}

/** Shell-quotes one word for the printed command line. */
function sh(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function describePgListener(connectionId: string, l: PgListener): string {
  const conninfo = `host=${l.host} port=${l.port} user=${l.user} dbname=${l.database} sslmode=disable`;
  return [
    `Local PostgreSQL port for ${connectionId} (Ctrl-C closes it; the password is valid until then)`,
    `  host:     ${l.host}`,
    `  port:     ${l.port}`,
    `  user:     ${l.user}`,
    `  password: ${l.password}`,
    `  database: ${l.database}`,
    `  psql:     PGPASSWORD=${sh(l.password)} psql ${sh(conninfo)}`,
    '',
  ].join('\n');
}

export async function runConnectCommand(
  connectionId: string,
  opts: ConnectCommandOptions,
  out: Out = process.stdout,
  err: Out = process.stderr,
  untilClosed: Promise<unknown> = signalled(),
): Promise<number> {
  const fail = (msg: string, code = 1): number => {
    err.write(`gatehouse connect: ${msg}\n`);
    return code;
  };
  let config: ConnectionConfig | undefined;
  let policyDoc: PolicyDocument;
  try {
    const source = connectionSource(connectionId, DEMO_CONNECTION_IDS.postgres, opts.config);
    if (source.kind !== 'config') return fail('the demo database has no local port from the CLI yet; open it from the app, or use a connections file (--config)', 2);
    config = source.connections.find((c) => c.id === connectionId);
    policyDoc = loadPolicyFile(opts.policy);
  } catch (e) {
    if (e instanceof ConfigError) return fail(`invalid config: ${e.message}`, 2);
    if (e instanceof UnknownConnectionError) return fail(e.message, 2);
    return fail(e instanceof Error ? e.message : String(e), 2);
  }
  if (!config) return fail(`no connection "${connectionId}" in the connections file`, 2);
  if (config.type !== 'postgres') return fail(`"${connectionId}" is not a PostgreSQL connection`, 2);
  const scrubber = new SecretScrubber();
  const logger = createLogger({ scrubber });
  const secrets = new SecretResolver(openSecretStore(opts.dataDir ?? defaultAppDataDir()), scrubber);
  const identity = new DemoIdentityProvider(opts.as ?? 'engineer');
  const policy = new PolicyStore(policyDoc);
  let port: PgListener;
  try {
    port = await startPgListener({
      config,
      secrets,
      identityId: identity.current().id,
      policy: listenerPolicyFrom(() => policy.current(), () => identity.current(), config.id),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      logger,
    });
  } catch (e) {
    // GatehouseError and listen errors (EADDRINUSE) carry no secret; anything else is summarised.
    const code = (e as { code?: unknown }).code;
    return fail(code === 'EADDRINUSE' ? `port ${opts.port ?? 0} is in use` : e instanceof Error ? e.message : 'the local port could not be opened');
  }
  out.write(describePgListener(config.id, port));
  await untilClosed;
  await port.close();
  return 0;
}

function signalled(): Promise<unknown> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
