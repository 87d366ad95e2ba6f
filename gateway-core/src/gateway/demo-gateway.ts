import { join } from 'node:path';
import type { AppInfo } from '../contract/bridge-contract.js';
import type { ConnectionConfig } from '../connections/connection-config.js';
import { InMemorySecretStore, SecretResolver } from '../connections/secret-resolver.js';
import { startDemoEnvironment, type DemoEnvironment } from '../demo/index.js';
import { DemoIdentityProvider } from '../identity/demo-identity-provider.js';
import { createLogger } from '../logging/logger.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { createGateway, type Gateway } from './create-gateway.js';

export interface DemoGatewayOptions {
  dataDir: string;
  reset?: boolean;
  shell: AppInfo['shell'];
  version: string;
  onProgress?: (message: string) => void;
}

export interface DemoGateway extends Gateway {
  readonly environment: DemoEnvironment;
  readonly logFile: string;
}

export const DEMO_CONNECTION_IDS = { postgres: 'demo-postgres', ssh: 'demo-ssh' } as const;

/** The offline demo: the embedded targets, their connections, and the two demo identities. */
export async function startDemoGateway(options: DemoGatewayOptions): Promise<DemoGateway> {
  const scrubber = new SecretScrubber();
  const logFile = join(options.dataDir, 'logs', 'gatehouse.log');
  const logger = createLogger({ file: logFile, scrubber });
  const environment = await startDemoEnvironment({
    dataDir: join(options.dataDir, 'demo'),
    reset: options.reset ?? false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    logger,
  });
  const store = new InMemorySecretStore();
  store.set('demo-postgres', environment.postgres.password);
  store.set('demo-ssh-key', environment.ssh.privateKey);
  scrubber.remember(environment.postgres.password);
  scrubber.remember(environment.ssh.privateKey);

  const gateway = createGateway({
    appInfo: { version: options.version, mode: 'demo', shell: options.shell },
    connections: demoConnections(environment),
    identity: new DemoIdentityProvider(),
    secrets: new SecretResolver(store, scrubber),
    logger,
  });
  gateway.registry.setStatus(DEMO_CONNECTION_IDS.postgres, 'ready');
  gateway.registry.setStatus(DEMO_CONNECTION_IDS.ssh, 'ready');
  logger.info({ dataDir: options.dataDir }, 'demo gateway started');

  return {
    ...gateway,
    environment,
    logFile,
    async close() {
      await gateway.close();
      await environment.stop();
    },
  };
}

function demoConnections(env: DemoEnvironment): ConnectionConfig[] {
  return [
    {
      id: DEMO_CONNECTION_IDS.postgres,
      name: 'Production DB (demo)',
      description: 'Seeded customers, orders, payments and support tickets',
      type: 'postgres',
      host: env.postgres.host,
      port: env.postgres.port,
      database: env.postgres.database,
      user: env.postgres.user,
      secret: 'stored:demo-postgres',
      tls: { mode: 'disable' },
    },
    {
      id: DEMO_CONNECTION_IDS.ssh,
      name: 'prod-app-01 (demo)',
      description: 'Application server with logs and config',
      type: 'ssh',
      host: env.ssh.host,
      port: env.ssh.port,
      user: env.ssh.username,
      auth: { method: 'key', privateKey: 'stored:demo-ssh-key' },
      hostKey: env.ssh.hostKeyFingerprint,
    },
  ];
}
