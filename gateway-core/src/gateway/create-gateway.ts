import type { AppInfo } from '../contract/bridge-contract.js';
import { BridgeDispatcher } from '../bridge/bridge-dispatcher.js';
import { BridgeEventHub } from '../bridge/bridge-events.js';
import { createCoreHandlers, listConnections } from '../bridge/bridge-handlers.js';
import type { GatewayServices } from '../bridge/handler-deps.js';
import type { ConnectionConfig } from '../connections/connection-config.js';
import { ConnectionRegistry, type PendingConnection } from '../connections/connection-registry.js';
import type { SecretResolver } from '../connections/secret-resolver.js';
import type { IdentityProvider } from '../identity/identity-provider.js';
import type { Logger } from '../logging/logger.js';
import type { PolicyStore } from '../policy/policy-store.js';
import { createOfflineApprovalHandlers } from '../approvals/approval-handlers.js';
import { createApprovalsFeature, type PolicyServerOptions } from '../approvals/approvals-feature.js';
import { createSqlHandlers } from '../postgres/sql-handlers.js';
import { createTerminalHandlers, type TerminalHandlerOptions } from '../ssh/terminal-handlers.js';

export interface GatewayOptions {
  appInfo: AppInfo;
  connections: readonly ConnectionConfig[];
  /** Connections whose targets are still starting (the demo's); attach them to the registry when up. */
  pendingConnections?: readonly PendingConnection[];
  identity: IdentityProvider;
  secrets: SecretResolver;
  policy: PolicyStore;
  logger: Logger;
  /** The host's opener for allowlisted links; without one the page opens approved links itself. */
  openExternal?: (url: string) => Promise<void>;
  /** SSH terminal settings: the known-hosts file (under the app-data dir) for trust on first use. */
  terminal?: TerminalHandlerOptions;
  /** The central policy server: approvals, access requests, policy updates. Without it nothing is approvable. */
  policyServer?: PolicyServerOptions;
}

/** gateway-core assembled: what a host (Electron, browser shell, CLI) attaches a transport to. */
export interface Gateway {
  readonly dispatcher: BridgeDispatcher;
  readonly events: BridgeEventHub;
  readonly registry: ConnectionRegistry;
  readonly identity: IdentityProvider;
  readonly policy: PolicyStore;
  readonly logger: Logger;
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const events = new BridgeEventHub();
  const registry = new ConnectionRegistry(options.connections, options.pendingConnections);
  const approvals = options.policyServer ? createApprovalsFeature({ ...options, events }, options.policyServer) : null;
  const services: GatewayServices = { ...options, registry, events, ...(approvals ? { accessGate: approvals.gate } : {}) };
  const connectionsChanged = (): void => events.emit('connections.changed', listConnections(services));
  const unsubscribers = [registry.onChange(connectionsChanged), options.identity.onChange((state) => events.emit('identity.changed', state))];
  const sql = createSqlHandlers(services);
  const terminal = createTerminalHandlers(services, options.terminal);
  approvals?.start({ broker: sql.broker, terminals: terminal.control, connectionsChanged });
  const dispatcher = new BridgeDispatcher(
    { ...createCoreHandlers(services), ...sql.handlers, ...terminal.handlers, ...(approvals ? approvals.handlers : createOfflineApprovalHandlers()) },
    options.logger,
  );
  return {
    dispatcher,
    events,
    registry,
    identity: options.identity,
    policy: options.policy,
    logger: options.logger,
    async close() {
      for (const u of unsubscribers) u();
      await Promise.allSettled([sql.close(), terminal.close(), approvals?.close()]);
    },
  };
}
