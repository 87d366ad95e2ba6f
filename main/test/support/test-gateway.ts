import { createGateway, DemoIdentityProvider, InMemorySecretStore, loadPolicyFile, PolicyStore, SecretResolver, SecretScrubber, type Gateway } from '@gatehouse/gateway-core';

export const TEST_DB_PASSWORD = 'contract-test-pw-7f3a91';

/** A real gateway with static connections: the contract suite needs no running targets. */
export function createTestGateway(): Gateway {
  const scrubber = new SecretScrubber();
  const store = new InMemorySecretStore();
  store.set('db', TEST_DB_PASSWORD);
  return createGateway({
    appInfo: { version: '9.9.9', mode: 'configured', shell: 'browser' },
    connections: [
      { id: 'prod-db', name: 'Production DB', type: 'postgres', host: 'db.internal', port: 5432, database: 'app', user: 'support', secret: 'stored:db', tls: { mode: 'require' } },
      { id: 'web-1', name: 'Web 1', type: 'ssh', host: 'web-1.internal', port: 22, user: 'deploy', auth: { method: 'password', password: 'stored:db' } },
    ],
    identity: new DemoIdentityProvider(),
    secrets: new SecretResolver(store, scrubber),
    policy: new PolicyStore(loadPolicyFile()),
    logger: { info() {}, warn() {}, error() {}, debug() {} } as unknown as Gateway['logger'],
  });
}
