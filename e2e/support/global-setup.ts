import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../../test-support/postgres/postgres-server.js';
import { startSshd } from '../../test-support/sshd/sshd-server.js';
import { startDemoProcess } from './demo-process.js';

/**
 * One Gatehouse for the whole e2e run: the offline demo, plus a real PostgreSQL 15 and a real
 * OpenSSH sshd on loopback, offered as the connections `e2e-postgres` and `e2e-ssh`. What the
 * tests need to know reaches them through the environment; secrets reach only the Gatehouse
 * process (and the leak test, which searches for them).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
  const [postgres, sshd] = await Promise.all([startPostgres({ seed: 'demo' }), startSshd()]);

  const sshWorkDir = join(sshd.homeDir, 'work');
  mkdirSync(join(sshWorkDir, 'logs'), { recursive: true });
  writeFileSync(join(sshWorkDir, 'sentinel.txt'), 'sentinel: this file must survive\n');
  writeFileSync(
    join(sshWorkDir, 'logs', 'app.log'),
    'INFO payment ok card=4111 1111 1111 1111 email=jane.doe@example.com\nINFO refund card=5555555555554444 user=max@example.org\n',
  );

  const config = join(dir, 'connections.yaml');
  writeFileSync(
    config,
    `connections:
  - id: e2e-postgres
    name: PostgreSQL 15 (e2e)
    type: postgres
    host: 127.0.0.1
    port: ${postgres.port}
    database: ${postgres.database}
    user: ${postgres.user}
    secret: env:GATEHOUSE_E2E_PG_PASSWORD
    tls: { mode: disable }
  - id: e2e-ssh
    name: OpenSSH (e2e)
    type: ssh
    host: 127.0.0.1
    port: ${sshd.port}
    user: ${sshd.user}
    auth: { method: key, privateKey: "file:${sshd.privateKeyPath}" }
    hostKey: ${sshd.hostKeyFingerprint}
`,
  );

  const demoDbPassword = randomBytes(18).toString('base64url');
  const demo = await startDemoProcess({
    dataDir: join(dir, 'data'),
    config,
    env: { GATEHOUSE_E2E_PG_PASSWORD: postgres.password, GATEHOUSE_DEMO_DB_PASSWORD: demoDbPassword },
  });
  await demo.targetsReady();

  Object.assign(process.env, {
    GATEHOUSE_E2E_URL: demo.url,
    GATEHOUSE_E2E_DATA_DIR: demo.dataDir,
    GATEHOUSE_E2E_SSH_DIR: sshWorkDir,
    // Known to the tests only so that the leak test can search for them.
    GATEHOUSE_E2E_SECRETS: JSON.stringify([postgres.password, demoDbPassword]),
    GATEHOUSE_E2E_PG_SUPERUSER_URL: postgres.superuserUrl,
  });
  return async () => {
    await demo.stop();
    await Promise.allSettled([postgres.stop(), sshd.stop()]);
  };
}
