/**
 * Approvals assembled for a gateway with a policy server: the client, the grant verifier, the
 * access gate, the event stream and the bridge handlers. createGateway wires it in; without a
 * policy server the offline handlers say that nothing can be approved.
 */
import type { BridgeHandlers } from '../bridge/bridge-dispatcher.js';
import type { GatewayServices } from '../bridge/handler-deps.js';
import type { SqlBroker } from '../postgres/sql-broker.js';
import type { TerminalControl } from '../ssh/terminal-handlers.js';
import { ConnectionAccessGate } from './access-gate.js';
import type { ApprovalHandlers } from './approval-handlers.js';
import { ApprovalService } from './approval-service.js';
import { GrantVerifier } from './grant-verifier.js';
import { PolicyServerClient } from './policy-server-client.js';
import { ServerEventStream } from './server-events.js';

export interface PolicyServerOptions {
  /** A promise while the server is still starting (the demo's), so the app need not wait for it. */
  url: string | Promise<string>;
  /** How often expired access grants are looked for (default 5 s). */
  sweepMs?: number;
  now?: () => number;
}

export interface ApprovalsFeature {
  handlers: ApprovalHandlers;
  gate: ConnectionAccessGate;
  /** For features that hold actions of their own (agent tools). */
  service: ApprovalService;
  /** Gives the service the features whose held actions it runs; starts the event stream. */
  start(features: { broker: SqlBroker; terminals: TerminalControl; localPorts?: { closeFor(connectionId: string, identityId: string): Promise<number> }; connectionsChanged: () => void }): void;
  close(): Promise<void>;
}

type Deps = Pick<GatewayServices, 'identity' | 'policy' | 'events' | 'logger'>;

export function createApprovalsFeature(deps: Deps, options: PolicyServerOptions): ApprovalsFeature {
  const now = options.now ?? Date.now;
  const tokenFor = deps.identity.accessTokenFor?.bind(deps.identity);
  const client = new PolicyServerClient({ baseUrl: options.url, accessToken: () => deps.identity.accessToken(), ...(tokenFor ? { accessTokenFor: tokenFor } : {}) });
  const gate = new ConnectionAccessGate(deps.policy, now, now());
  let connectionsChanged = (): void => undefined;
  const service = new ApprovalService(deps, { client, verifier: new GrantVerifier(() => client.jwksUrl(), now), gate, onAccessChanged: () => connectionsChanged() });
  const stream = new ServerEventStream(
    client,
    { onEvent: (e) => service.onEvent(e), onConnected: () => void service.onConnected(), onDisconnected: (why) => service.onDisconnected(why) },
    deps.logger,
  );
  let sweep: NodeJS.Timeout | undefined;
  let unsubscribe = (): void => undefined;

  const handlers: Pick<BridgeHandlers, keyof ApprovalHandlers> = {
    'approvals.request': (input) => service.request(input),
    'approvals.list': async (query) => ({ requests: await service.list(query) }),
    'approvals.decide': ({ requestId, decision, reason }) => service.decide(requestId, decision, reason),
    'approvals.cancel': ({ requestId }) => service.cancel(requestId),
    'approvals.status': async () => service.status(),
  };

  return {
    handlers,
    gate,
    service,
    start({ broker, terminals, localPorts, connectionsChanged: changed }) {
      service.attach(broker, terminals);
      connectionsChanged = changed;
      unsubscribe = deps.identity.onChange(() => {
        service.forgetViews();
        stream.restart();
        changed();
      });
      sweep = setInterval(() => {
        const expired = gate.expire();
        for (const g of expired) {
          const message = `access to ${g.connectionId} expired; this session is closed`;
          terminals.closeFor(g.connectionId, g.identityId, message);
          void broker.closeFor(g.connectionId, g.identityId);
          void localPorts?.closeFor(g.connectionId, g.identityId);
          deps.logger.info({ connectionId: g.connectionId, identity: g.identityId }, 'access expired; sessions closed');
        }
        if (expired.length > 0) changed();
      }, options.sweepMs ?? 5_000);
      sweep.unref?.();
      stream.start();
    },
    async close() {
      unsubscribe();
      if (sweep) clearInterval(sweep);
      stream.stop();
    },
  };
}
