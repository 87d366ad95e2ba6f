/**
 * `gatehouse connect <connection>`: the local PostgreSQL port (issue 7) for a connection of the
 * connections file, until Ctrl-C. It prints what a native client needs (host, port, user, the
 * one-time password, the sslmode, under `--tls` the certificate and its SHA-256 fingerprint, a
 * psql command line) and where the sessions' recordings go (connect-recordings.ts).
 *
 * Loaded by the command's action only (cli/connect-command.ts), so that other commands do not
 * pay for gateway-core.
 */
import { join } from 'node:path';
import {
  clientStrings,
  ConfigError,
  createLogger,
  defaultAppDataDir,
  DEMO_CONNECTION_IDS,
  listenerPolicyFrom,
  loadConnectionsFile,
  loadOrCreateLocalPortCertificate,
  openSecretStore,
  SecretResolver,
  SecretScrubber,
  startPgListener,
  type ConnectionsFile,
  type LocalPortCertificate,
  type PgListener,
} from '@gatehouse/gateway-core';
import { connectionSource, UnknownConnectionError } from '../cli/cli-connections.js';
import { connectIdentity, type ConnectIdentity } from './connect-identity.js';
import { startConnectRecording, type ConnectRecording } from './connect-recordings.js';

export interface ConnectCommandOptions {
  port?: number;
  config?: string;
  policy?: string;
  dataDir?: string;
  as?: 'engineer' | 'admin';
  /** Clients must use TLS, to the certificate kept in `<dataDir>/local-port-tls`. */
  tls?: boolean;
}

type Out = Pick<NodeJS.WriteStream, 'write'>;

export function describePgListener(connectionId: string, l: PgListener): string {
  const s = clientStrings(l);
  return [
    `Local PostgreSQL port for ${connectionId} (Ctrl-C closes it; the password is valid until then)`,
    `  host:     ${l.host}`,
    `  port:     ${l.port}`,
    `  user:     ${l.user}`,
    `  password: ${l.password}`,
    `  database: ${l.database}`,
    `  sslmode:  ${l.tls ? `${s.sslmode} (TLS is required; sslmode=require also works, without pinning)` : s.sslmode}`,
    ...(l.tls ? [`  cert:     ${l.tls.certFile ?? '(in memory)'}`, `  sha256:   ${l.tls.fingerprint256}`] : []),
    `  url:      ${s.url}`,
    `  psql:     ${s.psql}`,
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
  let file: ConnectionsFile;
  try {
    const source = connectionSource(connectionId, DEMO_CONNECTION_IDS.postgres, opts.config);
    if (source.kind !== 'config') return fail('the demo database has no local port from the CLI yet; open it from the app, or use a connections file (--config)', 2);
    file = loadConnectionsFile(source.path);
  } catch (e) {
    if (e instanceof ConfigError) return fail(`invalid config: ${e.message}`, 2);
    if (e instanceof UnknownConnectionError) return fail(e.message, 2);
    return fail(e instanceof Error ? e.message : String(e), 2);
  }
  const config = file.connections.find((c) => c.id === connectionId);
  if (!config) return fail(`no connection "${connectionId}" in the connections file`, 2);
  if (config.type !== 'postgres') return fail(`"${connectionId}" is not a PostgreSQL connection`, 2);
  const dataDir = opts.dataDir ?? defaultAppDataDir();
  const scrubber = new SecretScrubber();
  const token = process.env.GATEHOUSE_TOKEN || undefined;
  if (token) scrubber.remember(token);
  const logFile = join(dataDir, 'logs', 'gatehouse-connect.log');
  const logger = createLogger({ file: logFile, scrubber });
  const secrets = new SecretResolver(openSecretStore(dataDir), scrubber);
  let who: ConnectIdentity;
  let tls: LocalPortCertificate | undefined;
  let recording: ConnectRecording;
  try {
    // GatehouseError messages (a refused token, a key file others can read, a spool that cannot
    // be made, a bad policy file) are meant to be shown; none carries the token.
    who = await connectIdentity({ file, as: opts.as ?? 'engineer', ...(opts.policy ? { policyFile: opts.policy } : {}), ...(token ? { token } : {}) });
    if (opts.tls) tls = loadOrCreateLocalPortCertificate(join(dataDir, 'local-port-tls'));
    recording = await startConnectRecording({
      dataDir,
      identity: who.identity,
      policyServerUrl: who.policyServerUrl,
      ...(file.policyServer && !who.policyServerUrl ? { configuredServer: file.policyServer.url } : {}),
      logger,
    });
  } catch (e) {
    if (e instanceof ConfigError) return fail(`invalid policy: ${e.message}`, 2);
    return fail(e instanceof Error ? scrubber.scrub(e.message) : String(e));
  }
  const { identity, policy } = who;
  const identityId = identity.current()?.id;
  if (!identityId) return fail('no identity to act as');
  let port: PgListener;
  try {
    port = await startPgListener({
      config,
      secrets,
      identityId,
      policy: listenerPolicyFrom(() => policy.current(), () => identity.current(), config.id),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(tls ? { tls } : {}),
      recordings: recording.recordings,
      logger,
    });
  } catch (e) {
    await recording.close();
    // GatehouseError and listen errors (EADDRINUSE) carry no secret; anything else is summarised.
    const code = (e as { code?: unknown }).code;
    return fail(code === 'EADDRINUSE' ? `port ${opts.port ?? 0} is in use` : e instanceof Error ? e.message : 'the local port could not be opened');
  }
  out.write(describePgListener(config.id, port));
  out.write(`${who.describe}\n${recording.where}\nlog: ${logFile}\n`);
  await untilClosed;
  // Closing seals every session's recording; the last uploads follow.
  await port.close();
  await recording.close();
  return 0;
}

function signalled(): Promise<unknown> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
