/**
 * The upstream PostgreSQL connection: pg.Client with the held credential, TLS per config, the
 * Gatehouse user in application_name, and the session defaults of invariant 3. Also the cancel
 * request and the plain-words mapping of connection failures.
 *
 * Connection errors are rebuilt from codes, never passed through: a driver or TLS message can
 * quote the connection string or parameters, and the credential must never leave gateway-core.
 */
import { readFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import { SECRET_REF_PATTERN, type PostgresConnectionConfig } from '../connections/connection-config.js';
import type { SecretResolver } from '../connections/secret-resolver.js';

export const CONNECT_TIMEOUT_MS = 10_000;

export interface UpstreamOptions {
  config: PostgresConnectionConfig;
  secrets: Pick<SecretResolver, 'resolve'>;
  identityId: string;
  statementTimeoutMs: number;
}

export interface Upstream {
  client: pg.Client;
  /**
   * The server serves all connections from one session (PGlite behind pglite-socket, the demo):
   * an open transaction there stalls every other connection, so results are not held open.
   */
  sharedSession: boolean;
  /** Asks the server to cancel whatever this connection is running (PostgreSQL's CancelRequest). */
  cancel(): Promise<void>;
}

export async function connectUpstream(opts: UpstreamOptions): Promise<Upstream> {
  const { config } = opts;
  const password = await opts.secrets.resolve(config.secret);
  const client = new pg.Client({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password,
    ssl: await tlsOptions(config, opts.secrets),
    // Who ran it, as the server's own logs and pg_stat_activity show it. Truncated to the
    // server's 63-byte NAMEDATALEN.
    application_name: `gatehouse:${opts.identityId}`.slice(0, 63),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    // Session-level defence in depth (invariant 3): even a statement that somehow ran outside
    // the broker's own READ ONLY transaction would be read-only and bounded. Each run still sets
    // both per transaction, because the demo's PGlite shares one session between connections.
    options: '-c default_transaction_read_only=on',
    statement_timeout: opts.statementTimeoutMs,
  });
  // Without a listener, a server-side disconnect would be an unhandled 'error' event (a crash).
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new GatehouseError('unavailable', describeConnectError(err, config));
  }
  let sharedSession: boolean;
  try {
    const v = await client.query<{ version: string }>('SELECT pg_catalog.version() AS version');
    sharedSession = /PGlite|emscripten/i.test(v.rows[0]?.version ?? '');
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new GatehouseError('unavailable', describeConnectError(err, config));
  }
  return { client, sharedSession, cancel: () => sendCancel(client, config) };
}

async function tlsOptions(config: PostgresConnectionConfig, secrets: Pick<SecretResolver, 'resolve'>): Promise<false | ConnectionOptions> {
  const tls = config.tls;
  if (tls.mode === 'disable') return false;
  // 'require' encrypts without verifying the server, as libpq's sslmode=require does.
  if (tls.mode === 'require') return { rejectUnauthorized: false };
  const ref = tls.ca ?? '';
  let ca: string;
  try {
    ca = SECRET_REF_PATTERN.test(ref) ? await secrets.resolve(ref) : await readFile(ref, 'utf8');
  } catch {
    throw new GatehouseError('unavailable', `Cannot connect to ${config.name}: the TLS CA (${ref.slice(0, 80)}) could not be read`);
  }
  return { ca, rejectUnauthorized: true, servername: config.host };
}

/** Sends a CancelRequest on a fresh socket; the server checks the backend's pid and secret key. */
function sendCancel(client: pg.Client, config: PostgresConnectionConfig): Promise<void> {
  const { processID, secretKey } = client as unknown as { processID: number | null; secretKey: number | null };
  if (processID === null || secretKey === null) return Promise.resolve();
  return new Promise((resolve) => {
    const socket = netConnect({ host: config.host, port: config.port });
    const done = (): void => {
      socket.destroy();
      resolve();
    };
    socket.setTimeout(5_000, done);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      const packet = Buffer.alloc(16);
      packet.writeInt32BE(16, 0);
      packet.writeInt32BE(80877102, 4);
      packet.writeInt32BE(processID, 8);
      packet.writeInt32BE(secretKey, 12);
      socket.end(packet);
    });
  });
}

/** Plain words for a failed connect. Built from codes only, so nothing secret can be echoed. */
export function describeConnectError(err: unknown, config: Pick<PostgresConnectionConfig, 'name' | 'host' | 'port' | 'database' | 'user'>): string {
  const where = `${config.name} (${config.host}:${config.port})`;
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const reason = ((): string => {
    switch (code) {
      case 'ECONNREFUSED':
        return 'the connection was refused (is the server running and listening on that port?)';
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `the host name "${config.host}" was not found`;
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return 'the server could not be reached (timed out or no route to the host)';
      case 'ECONNRESET':
      case 'EPIPE':
        return 'the server closed the connection during the handshake (a TLS setting mismatch?)';
      case '28P01':
        return `password authentication failed for user "${config.user}" (check the connection's secret)`;
      case '28000':
        return `the server refused user "${config.user}" (no matching pg_hba.conf entry, or the role does not exist or may not log in)`;
      case '3D000':
        return `the database "${config.database}" does not exist`;
      case '53300':
        return 'the server has too many connections';
      case '57P03':
        return 'the server is starting up or shutting down';
    }
    if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL') || /certificate|self.signed/i.test(message)) {
      return 'the server\'s TLS certificate was not accepted (check the CA and that the host name matches the certificate)';
    }
    if (/does not support SSL/i.test(message)) return 'the server does not accept TLS, but this connection requires it (TLS mode mismatch)';
    if (/timeout/i.test(message)) return `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (timed out)`;
    if (/terminated unexpectedly|Connection terminated/i.test(message)) return 'the server closed the connection (a TLS setting mismatch, or the server rejected the client)';
    return `the connection failed${code ? ` (${code.replace(/[^A-Z0-9_]/gi, '').slice(0, 20)})` : ''}`;
  })();
  return `Cannot connect to ${where}: ${reason}`;
}
