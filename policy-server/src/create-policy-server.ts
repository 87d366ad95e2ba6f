/**
 * Assembles the policy server: database (migrated), policy, grant key, approvals, SSE hub and
 * the fastify app; plus the sweeper that expires pending requests. Nothing listens until
 * listen() is called, so tests and the demo choose their own address.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { DEFAULT_POLICY_PATH, initSqlGuard, rolesForGroups } from '@gatehouse/gateway-core';
import { ApprovalService } from './approvals/approval-service.js';
import { TokenVerifier, type IssuerConfig } from './auth/token-verifier.js';
import { systemClock, type Clock } from './clock.js';
import { EventHub } from './events/event-hub.js';
import { GrantSigner } from './grants/grant-signer.js';
import { buildApp } from './http/app.js';
import type { ServerContext } from './http/context.js';
import { PolicyService } from './policy/policy-service.js';
import { RecordingStore } from './sessions/recording-store.js';
import { SessionService } from './sessions/session-service.js';
import type { Database } from './storage/database.js';
import { openDatabase, type DatabaseOption } from './storage/open-database.js';

export interface PolicyServerOptions {
  /** Default: in-memory PGlite (state is lost on close). */
  database?: DatabaseOption;
  /** The OIDC issuers whose bearer tokens are accepted. */
  issuers: readonly IssuerConfig[];
  /** Token claim holding the caller's groups (default `groups`). */
  groupsClaim?: string;
  /** `iss` of the grants this server signs; gateway-core checks it. */
  issuer?: string;
  /** Seeds policy version 1 when the database has none (default: the app's default policy). */
  initialPolicyYaml?: string;
  /** A pino logger (or any fastify-compatible one). Tokens are never logged. Default: silent. */
  logger?: FastifyBaseLogger;
  clock?: Clock;
  /** How often pending requests past their expiry are marked expired (default 5 s). */
  sweepIntervalMs?: number;
  /** SSE keep-alive comment interval (default 15 s). */
  heartbeatMs?: number;
  /**
   * Where uploaded session recordings are stored (files, never in the database). Default:
   * `<dataDir>/recordings` for PGlite in a directory; a temporary directory, removed on close, for
   * the in-memory database. Required with PostgreSQL.
   */
  recordingsDir?: string;
  /** Largest recording (or index) one session may upload, in bytes (default 4 GiB). */
  maxRecordingBytes?: number;
}

export interface PolicyServer {
  app: FastifyInstance;
  /** Starts listening (default 127.0.0.1 on a free port) and returns the base URL. */
  listen(opts?: { host?: string; port?: number }): Promise<string>;
  /** Expires due pending requests now (the sweeper does this on a timer). */
  sweep(): Promise<number>;
  /** Stops the sweeper, ends event streams, stops listening and closes the database. */
  close(): Promise<void>;
  /** The grant `iss` this server signs with. */
  readonly grantIssuer: string;
  /** The server's database (migrated), for operators' tools and tests. */
  readonly db: Database;
  /** Open SSE streams, for health and benchmarks. */
  readonly eventStreams: number;
  /** Where uploaded recordings are stored. */
  readonly recordingsDir: string;
}

export const DEFAULT_GRANT_ISSUER = 'urn:gatehouse:policy-server';

export async function createPolicyServer(options: PolicyServerOptions): Promise<PolicyServer> {
  const clock = options.clock ?? systemClock;
  const database = options.database ?? { kind: 'memory' };
  if (database.kind === 'postgres' && !options.recordingsDir) throw new Error('recordingsDir is required with PostgreSQL: session recordings are stored as files, not in the database');
  const db: Database = await openDatabase(database);
  let hub: EventHub | undefined;
  let temporaryRecordings: RecordingStore | undefined;
  try {
    // After the database: a PGlite data directory must be initialised before anything is put in it.
    const recordingsDir =
      options.recordingsDir ?? (database.kind === 'pglite' ? join(database.dataDir, 'recordings') : mkdtempSync(join(tmpdir(), 'gatehouse-recordings-')));
    const store = new RecordingStore(recordingsDir);
    if (!options.recordingsDir && database.kind === 'memory') temporaryRecordings = store;
    const sessions = new SessionService({ db, store, clock, ...(options.maxRecordingBytes !== undefined ? { maxFileBytes: options.maxRecordingBytes } : {}) });
    const initialYaml = options.initialPolicyYaml ?? readFileSync(DEFAULT_POLICY_PATH, 'utf8');
    const policy = await PolicyService.open(db, clock, initialYaml);
    const grantIssuer = options.issuer ?? DEFAULT_GRANT_ISSUER;
    const grants = await GrantSigner.open(db, grantIssuer);
    // The server re-classifies SQL it is asked to approve; without the parser it still works
    // (gateway-core classifies before running), so a load failure only costs that check.
    await initSqlGuard().catch((err: unknown) => options.logger?.warn({ err }, 'SQL parser unavailable; trusting the client-reported SQL class'));
    hub = new EventHub(options.heartbeatMs);
    const eventHub = hub;
    const approvals = new ApprovalService({ db, policy, grants, hub: eventHub, clock });
    const verifier = new TokenVerifier({ issuers: options.issuers, ...(options.groupsClaim ? { groupsClaim: options.groupsClaim } : {}), clock });
    const ctx: ServerContext = { db, policy, approvals, grants, hub: eventHub, verifier, clock, sessions };
    const app = await buildApp(ctx, { version: packageVersion(), ...(options.logger ? { logger: options.logger } : {}) });

    // Open streams follow the policy in force: roles re-mapped, and everyone told.
    policy.onChange(({ version, doc }) => {
      eventHub.remapRoles((groups) => rolesForGroups(doc, groups));
      eventHub.publishPolicy(version);
    });

    let sweeping: Promise<number> | undefined;
    const sweep = (): Promise<number> => {
      sweeping ??= approvals.sweep().finally(() => {
        sweeping = undefined;
      });
      return sweeping;
    };
    const sweeper = setInterval(() => {
      sweep().catch((err: unknown) => app.log.error({ err }, 'expiring pending requests failed'));
    }, options.sweepIntervalMs ?? 5_000);
    sweeper.unref();

    let closed: Promise<void> | undefined;
    return {
      app,
      grantIssuer,
      db,
      recordingsDir,
      get eventStreams() {
        return eventHub.size;
      },
      async listen(opts = {}) {
        await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
        const addr = app.server.address() as AddressInfo;
        const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
        return `http://${host}:${addr.port}`;
      },
      sweep,
      close() {
        closed ??= (async () => {
          clearInterval(sweeper);
          // Streams first: app.close() waits for open connections, and an SSE stream never ends.
          eventHub.close();
          await app.close();
          await sweeping?.catch(() => undefined);
          await db.close();
          await temporaryRecordings?.destroy();
        })();
        return closed;
      },
    };
  } catch (err) {
    hub?.close();
    await db.close().catch(() => undefined);
    await temporaryRecordings?.destroy().catch(() => undefined);
    throw err;
  }
}

/** createPolicyServer + listen. */
export async function startPolicyServer(options: PolicyServerOptions & { host?: string; port?: number }): Promise<PolicyServer & { url: string }> {
  const server = await createPolicyServer(options);
  try {
    const url = await server.listen({ ...(options.host ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) });
    return Object.assign(server, { url });
  } catch (err) {
    await server.close();
    throw err;
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
