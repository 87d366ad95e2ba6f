// `gatehouse ssh -c` output path: values split across chunks, stderr, and fail-closed masking.
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { startSshd, type SshdServer } from '../../../test-support/sshd/sshd-server.js';
import { InMemorySecretStore, SecretResolver } from '../../src/connections/secret-resolver.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { Masker, MaskingError } from '../../src/masking/index.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import { InMemoryKnownHosts } from '../../src/ssh/known-hosts.js';
import { execGuarded } from '../../src/ssh/ssh-exec.js';
import { sshConnection } from './harness.js';

let sshd: SshdServer;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => sshd?.stop());
afterEach(() => vi.restoreAllMocks());

async function run(command: string) {
  const store = new InMemorySecretStore();
  store.set('prod-stream-key', sshd.privateKey);
  const out: string[] = [];
  const err: string[] = [];
  const config = sshConnection('prod-stream', sshd, { hostKey: sshd.hostKeyFingerprint });
  if (config.type !== 'ssh') throw new Error('unreachable');
  const result = await execGuarded({
    config,
    command,
    role: loadPolicyFile().roles.support!,
    secrets: new SecretResolver(store, new SecretScrubber()),
    knownHosts: new InMemoryKnownHosts(),
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
  });
  return { ...result, out, err };
}

it('masks values split across output chunks on stdout and stderr, and passes no empty chunks', async () => {
  // The pauses outlast the stream masker's flush timer, so the head of each value has already
  // been emitted when the rest arrives: the rest must still be masked (the context rescan).
  const r = await run(
    "printf 'card 4111 1111'; sleep 0.2; printf ' 1111 1111 end\\n'; printf 'mail jane.doe@exa' >&2; sleep 0.2; printf 'mple.com\\n' >&2",
  );
  expect(r).toMatchObject({ ran: true, exitCode: 0 });
  const out = r.out.join('');
  const err = r.err.join('');
  expect(out.replace(/\s/g, '')).not.toContain('4111111111111111');
  expect(out).toMatch(/^card .+ end\n$/);
  expect(out).toContain('\u2022');
  expect(err).not.toContain('example.com');
  expect(err).not.toContain('mple.com');
  expect(err).toMatch(/^mail .+\n$/);
  expect([...r.out, ...r.err]).not.toContain('');
});

it('masks a value split between two writes without a pause', async () => {
  const r = await run("printf 'card 4111 11'; printf '11 1111 1111 end\\n'; printf 'mail jane.doe@exa' >&2; printf 'mple.com\\n' >&2");
  expect(r.out.join('')).not.toContain('4111 1111 1111 1111');
  expect(r.err.join('')).not.toContain('jane.doe@example.com');
});

it('passes bulk output through whole and masked (values straddle 32 KB packets)', async () => {
  const r = await run("for i in $(seq 1 20000); do echo \"line $i pan=4111 1111 1111 1111 ok\"; done");
  const out = r.out.join('');
  expect(out.split('\n')).toHaveLength(20001);
  expect(out).not.toContain('4111 1111 1111 1111');
  expect(out.match(/ ok\n/g)).toHaveLength(20000);
});

it('fails closed when output cannot be masked', async () => {
  vi.spyOn(Masker.prototype, 'scan').mockImplementation(() => {
    throw new MaskingError('masking failed');
  });
  const store = new InMemorySecretStore();
  store.set('prod-stream-key', sshd.privateKey);
  const config = sshConnection('prod-stream', sshd, { hostKey: sshd.hostKeyFingerprint });
  if (config.type !== 'ssh') throw new Error('unreachable');
  const out: string[] = [];
  await expect(
    execGuarded({
      config,
      command: "echo 'card 4111 1111 1111 1111'; sleep 1",
      role: loadPolicyFile().roles.support!,
      secrets: new SecretResolver(store, new SecretScrubber()),
      knownHosts: new InMemoryKnownHosts(),
      stdout: (s) => out.push(s),
      stderr: (s) => out.push(s),
    }),
  ).rejects.toBeInstanceOf(MaskingError);
  expect(out.join('')).not.toContain('4111');
});
