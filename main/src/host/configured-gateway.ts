/**
 * Configured mode's gateway, the same for the browser shell (`gatehouse start`) and Electron:
 * the file's connections, OIDC sign-in, the policy server when one is named (its policy replaces
 * the bundled one as soon as it is reached), stored secrets, and a log under the data folder.
 */
import { join } from 'node:path';
import {
  createGateway,
  createLogger,
  loadPolicyFile,
  OidcIdentityProvider,
  openSecretStore,
  PolicyStore,
  SecretResolver,
  SecretScrubber,
  type AppInfo,
  type ConnectionsFile,
  type Gateway,
  type SecretCipher,
} from '@gatehouse/gateway-core';
import { readPackageVersion } from './paths.js';

export interface ConfiguredGateway {
  gateway: Gateway;
  logFile: string;
  close(): Promise<void>;
}

export function createConfiguredGateway(options: {
  file: ConnectionsFile & { signIn: NonNullable<ConnectionsFile['signIn']> };
  dataDir: string;
  shell: AppInfo['shell'];
  secretCipher?: SecretCipher;
  /** Electron's opener: the sign-in page goes to the system browser. */
  openExternal?: (url: string) => Promise<void>;
}): ConfiguredGateway {
  const { file, dataDir } = options;
  const logFile = join(dataDir, 'logs', 'gatehouse.log');
  const scrubber = new SecretScrubber();
  const logger = createLogger({ file: logFile, scrubber });
  const policy = new PolicyStore(loadPolicyFile());
  const identity = new OidcIdentityProvider({ settings: file.signIn, policy, logger });
  const gateway = createGateway({
    appInfo: { version: readPackageVersion(), mode: 'configured', shell: options.shell },
    connections: file.connections,
    identity,
    secrets: new SecretResolver(openSecretStore(dataDir, options.secretCipher), scrubber),
    policy,
    terminal: { knownHostsFile: join(dataDir, 'known_hosts.json') },
    localPorts: { tlsDir: join(dataDir, 'local-port-tls') },
    ...(file.policyServer ? { policyServer: { url: file.policyServer.url } } : {}),
    ...(options.openExternal ? { openExternal: options.openExternal } : {}),
    logger,
  });
  return {
    gateway,
    logFile,
    async close() {
      identity.close();
      await gateway.close();
    },
  };
}
