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
import { createOfflineSessionHandlers, createSessionHandlers } from '../sessions/session-handlers.js';
import { SessionReader } from '../sessions/session-reader.js';
import { SessionClient } from '../recording-upload/session-client.js';
import { createTerminalHandlers, type TerminalHandlerOptions } from '../ssh/terminal-handlers.js';
import { Recordings, type RecordingsOptions } from '../recording/recordings.js';
import type { RecordingUploader } from '../recording-upload/recording-uploader.js';
import { startRecordingUpload } from '../recording-upload/start-recording-upload.js';
import { AgentTools } from '../agent-tools/agent-tools.js';
import { createLocalPortHandlers, type LocalPortOptions } from '../local-ports/local-ports-feature.js';
import { createRecordingStatus } from '../recording-upload/recording-status.js';
import { InMemoryKnownHosts, JsonFileKnownHosts } from '../ssh/known-hosts.js';

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
  /** Record every session into `<dir>/spool/` (the app-data folder's `recordings`). Off without it. */
  recordings?: RecordingsOptions;
  /** Local PostgreSQL ports: where their TLS certificate is kept (the app-data folder's `local-port-tls`). */
  localPorts?: LocalPortOptions;
}

/** gateway-core assembled: what a host (Electron, browser shell, CLI) attaches a transport to. */
export interface Gateway {
  readonly dispatcher: BridgeDispatcher;
  readonly events: BridgeEventHub;
  readonly registry: ConnectionRegistry;
  readonly identity: IdentityProvider;
  readonly policy: PolicyStore;
  readonly logger: Logger;
  /** Present when recording is on: spool status and warnings (`onWarning`) for the UI. */
  readonly recordings?: Recordings;
  /** Present with recordings and a policy server: uploads the spool (`status()`, `onChange` for the UI). */
  readonly recordingUpload?: RecordingUploader;
  /** What an AI agent may do, as the current identity (the MCP server's tools). */
  readonly agentTools: AgentTools;
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const events = new BridgeEventHub();
  const registry = new ConnectionRegistry(options.connections, options.pendingConnections);
  const approvals = options.policyServer ? createApprovalsFeature({ ...options, events }, options.policyServer) : null;
  const { recordings: recordingOptions, ...rest } = options;
  const recordings = recordingOptions ? new Recordings(recordingOptions, options.logger) : undefined;
  // Before any session starts: the uploader's first look tells crashed recordings from live ones.
  const upload = recordings && options.policyServer ? startRecordingUpload({ recordings, identity: options.identity, logger: options.logger, policyServerUrl: options.policyServer.url }) : undefined;
  const services: GatewayServices = { ...rest, registry, events, ...(approvals ? { accessGate: approvals.gate } : {}), ...(recordings ? { recordings } : {}) };
  const connectionsChanged = (): void => events.emit('connections.changed', listConnections(services));
  const unsubscribers = [registry.onChange(connectionsChanged), options.identity.onChange((state) => events.emit('identity.changed', state))];
  const sql = createSqlHandlers(services);
  const terminal = createTerminalHandlers(services, options.terminal);
  const localPorts = createLocalPortHandlers(services, options.localPorts);
  const recordingStatus = createRecordingStatus(recordings, upload, events);
  approvals?.start({ broker: sql.broker, terminals: terminal.control, localPorts, connectionsChanged });
  const knownHostsFile = options.terminal?.knownHostsFile;
  const agentTools = new AgentTools({
    ...services,
    knownHosts: options.terminal?.knownHosts ?? (knownHostsFile ? new JsonFileKnownHosts(knownHostsFile) : new InMemoryKnownHosts()),
    ...(approvals ? { approvals: approvals.service } : {}),
  });
  const dispatcher = new BridgeDispatcher(
    { ...createCoreHandlers(services), ...sql.handlers, ...terminal.handlers, ...localPorts.handlers, ...recordingStatus.handlers, ...(approvals ? approvals.handlers : createOfflineApprovalHandlers()), ...(approvals ? createSessionHandlers(sessionReader(options)) : createOfflineSessionHandlers()) },
    options.logger,
  );
  return {
    dispatcher,
    events,
    registry,
    identity: options.identity,
    policy: options.policy,
    logger: options.logger,
    ...(recordings ? { recordings } : {}),
    ...(upload ? { recordingUpload: upload } : {}),
    agentTools,
    async close() {
      for (const u of unsubscribers) u();
      recordingStatus.close();
      await Promise.allSettled([sql.close(), terminal.close(), localPorts.close(), approvals?.close(), agentTools.close()]);
      await upload?.close();
    },
  };
}

/** Recorded sessions are read from the policy server with the signed-in identity's token. */
function sessionReader(options: GatewayOptions): SessionReader {
  const identity = options.identity;
  const client = new SessionClient({ baseUrl: options.policyServer!.url, accessToken: () => identity.accessToken(), currentIdentity: () => identity.current()?.id ?? null });
  return new SessionReader(client, () => identity.accessToken());
}
