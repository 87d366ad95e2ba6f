import { join } from 'node:path';
import type { AppInfo } from '../contract/bridge-contract.js';
import type { ConnectionConfig, SshConnectionConfig } from '../connections/connection-config.js';
import type { PendingConnection } from '../connections/connection-registry.js';
import { InMemorySecretStore, SecretResolver } from '../connections/secret-resolver.js';
import { LayeredSecretStore, openSecretStore, type SecretCipher } from '../secrets/index.js';
import { startDemoEnvironment, type DemoEnvironment, type DemoLogger, type DemoSshInfo } from '../demo/index.js';
import { startDemoSsh } from '../demo/ssh-target.js';
import type { PolicyServerOptions } from '../approvals/approvals-feature.js';
import { DemoIdentityProvider } from '../identity/demo-identity-provider.js';
import type { DemoIssuer } from '../identity/demo-issuer.js';
import { createLogger } from '../logging/logger.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { loadPolicyFile } from '../policy/load-policy.js';
import { PolicyStore } from '../policy/policy-store.js';
import { createGateway, type Gateway } from './create-gateway.js';

export interface DemoGatewayOptions {
  dataDir: string;
  reset?: boolean;
  shell: AppInfo['shell'];
  version: string;
  onProgress?: (message: string) => void;
  /** Connections from a config file, offered beside the demo's own. */
  extraConnections?: readonly ConnectionConfig[];
  /** Fixes the demo database password (tests search for it in leak checks); random otherwise. */
  demoDatabasePassword?: string;
  /** How `stored:` secrets are sealed: the OS keychain in Electron, a 0600 key file otherwise. */
  secretCipher?: SecretCipher;
  /** Electron's opener for allowlisted links. */
  openExternal?: (url: string) => Promise<void>;
  /**
   * The in-process policy server the host started (approvals), and the built-in issuer whose
   * tokens it trusts. Without them the demo runs, but nothing can be approved.
   */
  policyServer?: PolicyServerOptions;
  issuer?: DemoIssuer;
  /** Who the demo runs as: 'engineer' (the app's default), or 'agent' for `gatehouse mcp --demo`. */
  identityId?: string;
}

export interface DemoGateway extends Gateway {
  /** Settles when the embedded targets are up (or failed, with the connections marked unreachable). */
  readonly ready: Promise<DemoEnvironment | undefined>;
  readonly logFile: string;
}

export const DEMO_CONNECTIONS = {
  postgres: { id: 'demo-postgres', name: 'Production DB (demo)', type: 'postgres', description: 'Seeded customers, orders, payments and support tickets' },
  ssh: { id: 'demo-ssh', name: 'prod-app-01 (demo)', type: 'ssh', description: 'Application server with logs and config' },
} as const satisfies Record<string, PendingConnection>;

export const DEMO_CONNECTION_IDS = { postgres: DEMO_CONNECTIONS.postgres.id, ssh: DEMO_CONNECTIONS.ssh.id } as const;

/**
 * The offline demo: both identities, and connections to the embedded targets. It returns at
 * once, with the connections 'starting', so the UI is up while a first run seeds the database.
 */
export function startDemoGateway(options: DemoGatewayOptions): DemoGateway {
  const scrubber = new SecretScrubber();
  const logFile = join(options.dataDir, 'logs', 'gatehouse.log');
  const logger = createLogger({ file: logFile, scrubber });
  const store = new InMemorySecretStore();
  const gateway = createGateway({
    appInfo: { version: options.version, mode: 'demo', shell: options.shell },
    connections: options.extraConnections ?? [],
    pendingConnections: [DEMO_CONNECTIONS.postgres, DEMO_CONNECTIONS.ssh],
    identity: new DemoIdentityProvider(options.identityId ?? 'engineer', options.issuer),
    ...(options.policyServer ? { policyServer: options.policyServer } : {}),
    secrets: new SecretResolver(new LayeredSecretStore([store, openSecretStore(options.dataDir, options.secretCipher)]), scrubber),
    policy: new PolicyStore(loadPolicyFile()),
    terminal: { knownHostsFile: join(options.dataDir, 'known_hosts.json') },
    recordings: { dir: join(options.dataDir, 'recordings') },
    localPorts: { tlsDir: join(options.dataDir, 'local-port-tls') },
    ...(options.openExternal ? { openExternal: options.openExternal } : {}),
    logger,
  });

  const ready = startDemoEnvironment({
    dataDir: join(options.dataDir, 'demo'),
    reset: options.reset ?? false,
    ...(options.demoDatabasePassword ? { postgresPassword: options.demoDatabasePassword } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    logger,
  }).then(
    (environment) => {
      store.set('demo-postgres', environment.postgres.password);
      store.set('demo-ssh-key', environment.ssh.privateKey);
      scrubber.remember(environment.postgres.password);
      scrubber.remember(environment.ssh.privateKey);
      for (const config of demoConnectionConfigs(environment)) gateway.registry.attach(config);
      logger.info({ seeded: environment.seeded, sshWorkDir: environment.ssh.workDir }, 'demo environment ready');
      return environment;
    },
    (err: unknown) => {
      logger.error({ err }, 'demo environment failed to start');
      const detail = `The demo could not start: ${err instanceof Error ? err.message : String(err)}`;
      gateway.registry.setStatus(DEMO_CONNECTION_IDS.postgres, 'unreachable', detail);
      gateway.registry.setStatus(DEMO_CONNECTION_IDS.ssh, 'unreachable', detail);
      return undefined;
    },
  );

  return {
    ...gateway,
    ready,
    logFile,
    async close() {
      await gateway.close();
      await (await ready)?.stop();
    },
  };
}

/** The demo SSH target alone, with its connection config and the client key that config names. */
export interface DemoSshTarget {
  config: SshConnectionConfig;
  /** Holds the client key under the `stored:` name the config refers to. */
  secrets: InMemorySecretStore;
  workDir: string;
  stop(): Promise<void>;
}

/**
 * Starts only the demo's SSH target (milliseconds), not the database (whose first seed takes
 * 10-40 s), for a one-off command such as `gatehouse ssh demo-ssh -c ...`. Splitting
 * startDemoGateway's `ready` would not help there: its close() has to wait for the in-process
 * database anyway, because stopping that mid-seed would leave a half-built demo database.
 */
export async function startDemoSshTarget(options: { logger?: DemoLogger } = {}): Promise<DemoSshTarget> {
  const ssh = await startDemoSsh(options.logger ? { logger: options.logger } : {});
  const secrets = new InMemorySecretStore();
  secrets.set('demo-ssh-key', ssh.info.privateKey);
  return { config: demoSshConfig(ssh.info), secrets, workDir: ssh.info.workDir, stop: () => ssh.stop() };
}

function demoSshConfig(ssh: DemoSshInfo): SshConnectionConfig {
  return {
    ...DEMO_CONNECTIONS.ssh,
    host: ssh.host,
    port: ssh.port,
    user: ssh.username,
    auth: { method: 'key', privateKey: 'stored:demo-ssh-key' },
    hostKey: ssh.hostKeyFingerprint,
  };
}

function demoConnectionConfigs(env: DemoEnvironment): ConnectionConfig[] {
  return [
    {
      ...DEMO_CONNECTIONS.postgres,
      host: env.postgres.host,
      port: env.postgres.port,
      database: env.postgres.database,
      user: env.postgres.user,
      secret: 'stored:demo-postgres',
      tls: { mode: 'disable' },
    },
    demoSshConfig(env.ssh),
  ];
}
