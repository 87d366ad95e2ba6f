// Test helper: one person's Gatehouse app (a gateway with its own identity), wired to a shared
// policy server, and the events it emitted. Two of these are the engineer's and the admin's laptops.
import type { ConnectionConfig } from '../../src/connections/connection-config.js';
import { InMemorySecretStore, SecretResolver } from '../../src/connections/secret-resolver.js';
import type { BridgeEventName, BridgeEventPayload, BridgeInput, BridgeMethodName, BridgeOutput } from '../../src/contract/bridge-contract.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { DemoIdentityProvider } from '../../src/identity/demo-identity-provider.js';
import type { DemoIssuer } from '../../src/identity/demo-issuer.js';
import type { Logger } from '../../src/logging/logger.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { parsePolicyYaml } from '../../src/policy/load-policy.js';
import { PolicyStore } from '../../src/policy/policy-store.js';

export interface ApprovalApp {
  gateway: Gateway;
  call<M extends BridgeMethodName>(method: M, input: BridgeInput<M>): Promise<BridgeOutput<M>>;
  /** The error message of a call that must fail. */
  fails<M extends BridgeMethodName>(method: M, input: BridgeInput<M>): Promise<string>;
  seen<E extends BridgeEventName>(event: E): Array<BridgeEventPayload<E>>;
  waitFor<E extends BridgeEventName>(event: E, match: (p: BridgeEventPayload<E>) => boolean, what: string, timeoutMs?: number): Promise<BridgeEventPayload<E>>;
  logText(): string;
  close(): Promise<void>;
}

export function startApprovalApp(opts: {
  identity: 'engineer' | 'admin';
  issuer: DemoIssuer;
  policyServerUrl: string;
  policyYaml: string;
  connections: ConnectionConfig[];
  secrets: Record<string, string>;
  now?: () => number;
  /** Record sessions into this folder (and upload them to the policy server). */
  recordingsDir?: string;
}): ApprovalApp {
  const store = new InMemorySecretStore();
  for (const [k, v] of Object.entries(opts.secrets)) store.set(k, v);
  const lines: string[] = [];
  const record = (level: string) => (obj: unknown, msg?: string) => lines.push(`${level} ${JSON.stringify(obj)} ${msg ?? ''}`);
  const logger = { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') } as unknown as Logger;
  const gateway = createGateway({
    appInfo: { version: 'test', mode: 'configured', shell: 'browser' },
    connections: opts.connections,
    identity: new DemoIdentityProvider(opts.identity, opts.issuer),
    secrets: new SecretResolver(store, new SecretScrubber()),
    policy: new PolicyStore(parsePolicyYaml(opts.policyYaml)),
    logger,
    policyServer: { url: opts.policyServerUrl, sweepMs: 100, ...(opts.now ? { now: opts.now } : {}) },
    ...(opts.recordingsDir ? { recordings: { dir: opts.recordingsDir } } : {}),
  });
  const events: Array<{ event: BridgeEventName; payload: unknown }> = [];
  gateway.events.attach((event, payload) => events.push({ event, payload }));
  const seen = <E extends BridgeEventName>(event: E): Array<BridgeEventPayload<E>> =>
    events.filter((e) => e.event === event).map((e) => e.payload as BridgeEventPayload<E>);
  return {
    gateway,
    async call(method, input) {
      const r = await gateway.dispatcher.call(method, input);
      if ('error' in r) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
      return r.ok;
    },
    async fails(method, input) {
      const r = await gateway.dispatcher.call(method, input);
      if ('ok' in r) throw new Error(`${method} was expected to fail`);
      return r.error.message;
    },
    seen,
    async waitFor(event, match, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = seen(event).find(match);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    logText: () => lines.join('\n'),
    close: () => gateway.close(),
  };
}
