// Non-interactive exec (what `gatehouse ssh -c` runs): guard first, masked output, exit status.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSshd, type SshdServer } from '../../../test-support/sshd/sshd-server.js';
import { InMemorySecretStore, SecretResolver } from '../../src/connections/secret-resolver.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import { InMemoryKnownHosts } from '../../src/ssh/known-hosts.js';
import { execGuarded } from '../../src/ssh/ssh-exec.js';
import { sshConnection } from './harness.js';

let sshd: SshdServer;
beforeAll(async () => {
  sshd = await startSshd();
  await writeFile(join(sshd.homeDir, 'pii.txt'), 'card 4111 1111 1111 1111 mail jane.doe@example.com\n');
});
afterAll(async () => sshd?.stop());

async function run(command: string) {
  const store = new InMemorySecretStore();
  store.set('prod-exec-key', sshd.privateKey);
  let out = '';
  let err = '';
  const config = sshConnection('prod-exec', sshd, { hostKey: sshd.hostKeyFingerprint });
  if (config.type !== 'ssh') throw new Error('unreachable');
  const result = await execGuarded({
    config,
    command,
    role: loadPolicyFile().roles.support!,
    secrets: new SecretResolver(store, new SecretScrubber()),
    knownHosts: new InMemoryKnownHosts(),
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
  });
  return { ...result, out, err };
}

it('masks output and returns the exit status', async () => {
  const r = await run(`cat ${sshd.homeDir}/pii.txt; echo oops >&2; exit 3`);
  expect(r).toMatchObject({ ran: true, exitCode: 3 });
  expect(r.out).toContain('1111');
  expect(r.out).not.toContain('4111 1111 1111 1111');
  expect(r.out).not.toContain('jane.doe@example.com');
  expect(r.err).toBe('oops\n');
});

it('refuses a denied command before connecting', async () => {
  const r = await run(`touch ${sshd.homeDir}/x; sudo rm -rf /usr`);
  expect(r).toMatchObject({ ran: false, decision: { action: 'deny', rule: 'rm-recursive-system-path' } });
});
