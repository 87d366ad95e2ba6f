import type { AppInfo } from '../contract/bridge-contract.js';
import type { ConnectionRegistry } from '../connections/connection-registry.js';
import type { SecretResolver } from '../connections/secret-resolver.js';
import type { IdentityProvider } from '../identity/identity-provider.js';
import type { Logger } from '../logging/logger.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { Recordings } from '../recording/recordings.js';
import type { ConnectionSummary, Identity } from '../contract/bridge-contract.js';
import type { BridgeEventHub } from './bridge-events.js';

/**
 * Decides whether an identity may use a connection right now, beyond its role: an access-by-
 * request connection needs an approved, unexpired access grant, and with the policy server
 * unreachable past the offline grace, nothing runs. Throws a GatehouseError saying which.
 */
export interface AccessGate {
  check(connectionId: string, identity: Identity): void;
  /** The `access` field of this connection's summary for this identity. */
  describe(connectionId: string, identity: Identity | null): ConnectionSummary['access'];
}

/** Everything a feature's handlers may depend on; each feature takes only the Pick<> it needs. */
export interface GatewayServices {
  appInfo: AppInfo;
  registry: ConnectionRegistry;
  identity: IdentityProvider;
  secrets: SecretResolver;
  policy: PolicyStore;
  events: BridgeEventHub;
  logger: Logger;
  /** The host's way to open an allowlisted link in the OS browser (Electron's shell.openExternal). */
  openExternal?: (url: string) => Promise<void>;
  /** Set when a policy server is configured (approvals/). */
  accessGate?: AccessGate;
  /** Session recording (recording/); without it sessions are not recorded (tests, CLI one-shots). */
  recordings?: Recordings;
}

/** A feature's handlers plus what must happen when the gateway stops (close sessions, sockets). */
export interface FeatureHandlers<H> {
  handlers: H;
  close(): Promise<void>;
}
