/** A gateway wired to a harness PostgreSQL, with the default policy and the demo identities. */
import { expect } from 'vitest';
import type { ConnectionConfig } from '../../src/connections/connection-config.js';
import { InMemorySecretStore, SecretResolver } from '../../src/connections/secret-resolver.js';
import type { BridgeMethodName, BridgeInput, BridgeOutput, BridgeResult } from '../../src/contract/bridge-contract.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { DemoIdentityProvider } from '../../src/identity/demo-identity-provider.js';
import { createLogger } from '../../src/logging/logger.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import type { PolicyDocument } from '../../src/policy/policy-document.js';
import { PolicyStore } from '../../src/policy/policy-store.js';
import type { PostgresServer } from '../../../test-support/postgres/postgres-server.js';

export const CONNECTION_ID = 'prod-main';

export interface Fixture {
  gateway: Gateway;
  identity: DemoIdentityProvider;
  policy: PolicyStore;
  /** Every value the bridge returned, so a test can search all of it for secrets. */
  transcript: unknown[];
  call<M extends BridgeMethodName>(method: M, input: BridgeInput<M>): Promise<BridgeResult<BridgeOutput<M>>>;
  ok<M extends BridgeMethodName>(method: M, input: BridgeInput<M>): Promise<BridgeOutput<M>>;
}

export function pgConnection(server: Pick<PostgresServer, 'host' | 'port' | 'database' | 'user'>, overrides: Partial<ConnectionConfig> = {}): ConnectionConfig {
  return {
    id: CONNECTION_ID,
    name: 'Production (test)',
    type: 'postgres',
    host: server.host,
    port: server.port,
    database: server.database,
    user: server.user,
    secret: `stored:${CONNECTION_ID}`,
    tls: { mode: 'disable' },
    ...overrides,
  } as ConnectionConfig;
}

export function createFixture(opts: {
  connections: ConnectionConfig[];
  secrets: Record<string, string>;
  policy?: PolicyDocument;
  identity?: 'engineer' | 'admin';
}): Fixture {
  const store = new InMemorySecretStore();
  for (const [k, v] of Object.entries(opts.secrets)) store.set(k, v);
  const scrubber = new SecretScrubber();
  const identity = new DemoIdentityProvider(opts.identity ?? 'engineer');
  const policy = new PolicyStore(opts.policy ?? loadPolicyFile());
  const gateway = createGateway({
    appInfo: { version: 'test', mode: 'configured', shell: 'browser' },
    connections: opts.connections,
    identity,
    secrets: new SecretResolver(store, scrubber),
    policy,
    logger: createLogger({ scrubber }),
  });
  const transcript: unknown[] = [];
  const call = async <M extends BridgeMethodName>(method: M, input: BridgeInput<M>): Promise<BridgeResult<BridgeOutput<M>>> => {
    const r = await gateway.dispatcher.call(method, input);
    transcript.push(r);
    return r;
  };
  return {
    gateway,
    identity,
    policy,
    transcript,
    call,
    async ok(method, input) {
      const r = await call(method, input);
      if ('error' in r) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
      return r.ok;
    },
  };
}

/** Asserts that no returned value contains any of `needles`. */
export function expectAbsent(values: unknown, needles: readonly string[]): void {
  const text = JSON.stringify(values);
  for (const n of needles) expect(text.includes(n), `found "${n.slice(0, 6)}…" in bridge output`).toBe(false);
}
