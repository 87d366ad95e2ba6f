/**
 * A local PostgreSQL port for one (user, connection): listens on 127.0.0.1, authenticates clients
 * with a one-time password (SCRAM-SHA-256) that dies with the listener, and relays each client
 * through its own upstream connection with the editor's guard and masking. With `tls`, clients
 * must connect over TLS (local-tls.ts).
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { PostgresConnectionConfig } from '../connections/connection-config.js';
import type { SecretResolver } from '../connections/secret-resolver.js';
import type { Identity } from '../contract/bridge-contract.js';
import type { Logger } from '../logging/logger.js';
import type { Recordings } from '../recording/recordings.js';
import { createMasker, type Masker } from '../masking/index.js';
import { effectivePolicy, mayUseConnection } from '../policy/effective-policy.js';
import type { PolicyDocument, RolePolicy } from '../policy/policy-document.js';
import { initSqlGuard, type SqlClassPolicy } from '../policy/sql/index.js';
import { connectUpstream } from '../postgres/upstream.js';
import { ClientSession } from './client-session.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './frame-reader.js';
import { listenerTls, type ListenerTlsMaterial } from './local-tls.js';
import { scramVerifier, type ScramVerifier } from './scram-server.js';
import { catalogRunner, linkUpstream } from './upstream-link.js';

export interface ListenerPolicy {
  sql: SqlClassPolicy;
  masker: Masker;
  statementTimeoutMs: number;
}

export interface PgListenerOptions {
  config: PostgresConnectionConfig;
  secrets: Pick<SecretResolver, 'resolve'>;
  identityId: string;
  /** The caller's policy now (read per statement); throws GatehouseError when access has ended. */
  policy: () => ListenerPolicy;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Largest client message (default 64 MiB). */
  maxMessageBytes?: number;
  /** Largest server message (default 1 GiB, PostgreSQL's own field limit). */
  upstreamMaxMessageBytes?: number;
  authTimeoutMs?: number;
  maxClients?: number;
  logger?: Logger;
  /** Record every client session as an SQL recording (as the editor does); off without it. */
  recordings?: Pick<Recordings, 'sql'>;
  /** Require TLS with this certificate (SSLRequest answered 'S'); without it SSLRequest gets 'N'. */
  tls?: ListenerTlsMaterial;
}

export interface PgListener {
  host: '127.0.0.1';
  port: number;
  /** The user name and one-time password clients log in with (valid until close). */
  user: string;
  password: string;
  /** The database name clients ask for (the connection id; the upstream's own name works too). */
  database: string;
  /** Set when clients must use TLS: the certificate's SHA-256 fingerprint and file, to pin it. */
  tls: { fingerprint256: string; certFile?: string } | null;
  readonly clients: number;
  /** Closes the port and every client session; resolves once their recordings are sealed. */
  close(): Promise<void>;
}

/** Role policy → what the listener needs, with one masker per policy object (as the broker does). */
export function listenerPolicyFrom(
  current: () => PolicyDocument,
  identity: () => Pick<Identity, 'id' | 'roles'> | null,
  connectionId: string,
): () => ListenerPolicy {
  const maskers = new WeakMap<RolePolicy, Masker>();
  // Read several times per statement: the same document (PolicyStore replaces, never mutates)
  // and the same identity give the same answer, without re-matching connection globs each time.
  let last: { doc: PolicyDocument; id: string; roles: string; value: ListenerPolicy } | null = null;
  return () => {
    const who = identity();
    if (!who) throw new GatehouseError('forbidden', 'Sign in to use the local port');
    const doc = current();
    const roles = who.roles.join('\n');
    if (last && last.doc === doc && last.id === who.id && last.roles === roles) return last.value;
    const { policy } = effectivePolicy(doc, who);
    if (!mayUseConnection(policy, connectionId)) throw new GatehouseError('forbidden', `Your role may not use the connection "${connectionId}"`);
    let masker = maskers.get(policy);
    if (!masker) {
      masker = createMasker(policy.masking);
      maskers.set(policy, masker);
    }
    const value = { sql: policy.sql, masker, statementTimeoutMs: policy.limits.statementTimeoutMs };
    last = { doc, id: who.id, roles, value };
    return value;
  };
}

export async function startPgListener(opts: PgListenerOptions): Promise<PgListener> {
  await initSqlGuard();
  const user = opts.identityId.toLowerCase().replace(/[^a-z0-9_.-]/g, '_').slice(0, 63) || 'gatehouse';
  const password = randomBytes(24).toString('base64url');
  const verifier: ScramVerifier = scramVerifier(password);
  const database = opts.config.id;
  // Built before listening: a bad certificate or key fails here, not at a client's handshake.
  const tls = opts.tls ? listenerTls(opts.tls) : undefined;
  const sessions = new Set<ClientSession>();
  const sealing = new Set<Promise<void>>();
  const keys = new Map<number, { secretKey: number; session: ClientSession }>();
  const maxClients = opts.maxClients ?? 64;
  const upstream = () => {
    const p = opts.policy();
    return connectUpstream({ config: opts.config, secrets: opts.secrets, identityId: opts.identityId, statementTimeoutMs: p.statementTimeoutMs });
  };

  const server: Server = createServer((socket: Socket) => {
    if (sessions.size >= maxClients) {
      socket.destroy();
      return;
    }
    const session: ClientSession = new ClientSession(socket, {
      maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      upstreamMaxMessageBytes: opts.upstreamMaxMessageBytes ?? 1024 * 1024 * 1024,
      authTimeoutMs: opts.authTimeoutMs ?? 30_000,
      ...(tls ? { tls } : {}),
      verifier: (name) => (safeEqual(name, user) ? verifier : undefined),
      acceptsDatabase: (name) => name === database || name === opts.config.database,
      openUpstream: async () => linkUpstream(await upstream()),
      openCatalog: async () => catalogRunner(await upstream()),
      policy: () => opts.policy(),
      registerKey: (s) => {
        let processId: number;
        do processId = randomInt(1, 2 ** 31 - 1);
        while (keys.has(processId));
        const secretKey = randomBytes(4).readInt32BE(0);
        keys.set(processId, { secretKey, session: s });
        return { processId, secretKey };
      },
      forward: (processId, secretKey) => {
        const entry = keys.get(processId);
        // Matched by Gatehouse's own key; the upstream gets its own pid and key from the session.
        if (entry && entry.secretKey === secretKey) entry.session.cancelUpstream();
      },
      openRecorder: (sessionId) => opts.recordings?.sql({ sessionId, user: opts.identityId, connectionId: opts.config.id }),
      closed: (s) => {
        sessions.delete(s);
        const sealed = s.recordingSealed.finally(() => sealing.delete(sealed));
        sealing.add(sealed);
        for (const [pid, e] of keys) if (e.session === s) keys.delete(pid);
      },
    });
    sessions.add(session);
  });
  server.on('error', (err) => opts.logger?.warn({ err: { code: (err as NodeJS.ErrnoException).code } }, 'pg listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    database,
    tls: tls ? { fingerprint256: tls.fingerprint256, ...(tls.certFile ? { certFile: tls.certFile } : {}) } : null,
    get clients() {
      return sessions.size;
    },
    close: async () => {
      for (const s of [...sessions]) s.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sealing]);
    },
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
