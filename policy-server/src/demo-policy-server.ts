/**
 * The offline demo's policy server: in-process, loopback only, trusting exactly one issuer (the
 * demo's built-in one, whose public keys are passed in), with in-memory PGlite or a data dir.
 */
import type { JSONWebKeySet } from 'jose';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock.js';
import { startPolicyServer, type PolicyServer } from './create-policy-server.js';

export interface DemoPolicyServerOptions {
  issuer: { issuer: string; audience: string; jwks: JSONWebKeySet };
  /** Persist approvals and audit here (PGlite); default in memory. */
  dataDir?: string;
  port?: number;
  initialPolicyYaml?: string;
  logger?: FastifyBaseLogger;
  clock?: Clock;
  /** Where uploaded recordings go (default `<dataDir>/recordings`, or a temporary directory in memory). */
  recordingsDir?: string;
  /** A PGlite dump of an empty cluster: a new database starts from it instead of running initdb. */
  template?: Blob;
}

export interface DemoPolicyServer extends PolicyServer {
  url: string;
  /** Where gateway-core fetches the keys that verify grants. */
  jwksUrl: string;
}

export async function startDemoPolicyServer(options: DemoPolicyServerOptions): Promise<DemoPolicyServer> {
  const server = await startPolicyServer({
    database: options.dataDir ? { kind: 'pglite', dataDir: options.dataDir, ...(options.template ? { template: options.template } : {}) } : { kind: 'memory', ...(options.template ? { template: options.template } : {}) },
    issuers: [options.issuer],
    issuer: 'urn:gatehouse:demo-policy-server',
    host: '127.0.0.1',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.initialPolicyYaml ? { initialPolicyYaml: options.initialPolicyYaml } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.recordingsDir ? { recordingsDir: options.recordingsDir } : {}),
  });
  return Object.assign(server, { jwksUrl: `${server.url}/.well-known/jwks.json` });
}
