/**
 * One policy server per backend per test file, reached over real HTTP on 127.0.0.1, trusting a
 * test issuer whose JWKS is fetched over HTTP. `client(person)` signs a fresh token at the
 * shared test clock's time for every call, so moving the clock never strands a test's token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { createPolicyServer, createServerLogger, type PolicyServer } from '../../src/index.js';
import { pgliteTemplate } from './pglite-template.js';
import { startTestIssuer, TestClock, type TestIssuer } from './test-issuer.js';
import { PEOPLE, TEST_POLICY_YAML, type Person } from './test-policy.js';

export type Backend = 'pglite' | 'postgres';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface Client {
  token(): Promise<string>;
  get<T = Record<string, unknown>>(path: string): Promise<ApiResponse<T>>;
  post<T = Record<string, unknown>>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  put<T = Record<string, unknown>>(path: string, body: unknown): Promise<ApiResponse<T>>;
}

export interface Harness {
  backend: Backend;
  url: string;
  server: PolicyServer;
  clock: TestClock;
  issuer: TestIssuer;
  /** Every line the server logged so far (its real logger, at debug level). */
  logLines(): string[];
  client(person: Person): Client;
  close(): Promise<void>;
}

export async function startHarness(backend: Backend): Promise<Harness> {
  const issuer = await startTestIssuer();
  const clock = new TestClock();
  let postgres: PostgresServer | undefined;
  let database: Parameters<typeof createPolicyServer>[0]['database'] = backend === 'pglite' ? { kind: 'memory', template: await pgliteTemplate() } : undefined;
  if (backend === 'postgres') {
    postgres = await startPostgres({ seed: 'none' });
    // A database the (non-superuser) app role owns, as in production.
    const admin = new pg.Client({ connectionString: postgres.superuserUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE policy OWNER ${postgres.user}`);
    await admin.end();
    database = { kind: 'postgres', url: `postgres://${postgres.user}:${encodeURIComponent(postgres.password)}@127.0.0.1:${postgres.port}/policy`, poolSize: 4 };
  }
  // PostgreSQL needs a recordings directory; PGlite in memory makes a temporary one itself.
  const recordingsDir = backend === 'postgres' ? mkdtempSync(join(tmpdir(), 'gatehouse-test-recordings-')) : undefined;
  // The production logger, kept in memory, so suites can check what never reaches a log line.
  const logLines: string[] = [];
  const logSink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await createPolicyServer({
    database,
    ...(recordingsDir ? { recordingsDir } : {}),
    issuers: [{ issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri }],
    issuer: 'urn:gatehouse:test-policy-server',
    initialPolicyYaml: TEST_POLICY_YAML,
    clock,
    logger: createServerLogger({ level: 'debug', destination: logSink }),
    // The tests sweep explicitly; a timer would race them.
    sweepIntervalMs: 3_600_000,
  });
  const url = await server.listen();

  const client = (person: Person): Client => {
    const token = (): Promise<string> => issuer.token(person, { groups: [...PEOPLE[person]], name: `${person[0]?.toUpperCase()}${person.slice(1)}`, now: clock.now() });
    const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${await token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as T };
    };
    return {
      token,
      get: (path) => call('GET', path),
      post: (path, body = {}) => call('POST', path, body),
      put: (path, body) => call('PUT', path, body),
    };
  };

  return {
    backend,
    url,
    server,
    clock,
    issuer,
    logLines: () => [...logLines],
    client,
    async close() {
      await server.close();
      await issuer.close();
      await postgres?.stop();
      if (recordingsDir) rmSync(recordingsDir, { recursive: true, force: true });
    },
  };
}
