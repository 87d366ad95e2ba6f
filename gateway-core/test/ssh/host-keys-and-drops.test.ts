// Host key verification (pinned, trust on first use, changed key) and a dropped connection,
// against a real OpenSSH sshd.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type SshdServer } from '../../../test-support/sshd/sshd-server.js';
import { InMemoryKnownHosts, JsonFileKnownHosts } from '../../src/ssh/known-hosts.js';
import { sshConnection, startTestGateway, TestTerminal, until } from './harness.js';

const OTHER_FP = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('host key verification', () => {
  let sshd: SshdServer;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('refuses a server whose key does not match the pinned fingerprint', async () => {
    const t = startTestGateway([{ config: sshConnection('prod-pinned', sshd, { hostKey: OTHER_FP }), privateKey: sshd.privateKey }]);
    const term = await TestTerminal.open(t, 'prod-pinned');
    await until(() => term.states().includes('disconnected'), 'disconnected');
    const msg = term.mine('terminal.state').at(-1)?.message ?? '';
    expect(msg).toContain(OTHER_FP);
    expect(msg).toContain(sshd.hostKeyFingerprint);
    expect(term.states()).not.toContain('connected');
    await t.close();
  });

  it('trust on first use: asks, connects after accept, remembers the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-kh-'));
    const file = join(dir, 'known_hosts.json');
    const t = startTestGateway([{ config: sshConnection('prod-tofu', sshd), privateKey: sshd.privateKey }], { knownHostsFile: file });
    const term = await TestTerminal.open(t, 'prod-tofu');
    const ask = await until(() => term.mine('terminal.state').find((s) => s.state === 'host-key-unknown'), 'host-key-unknown');
    expect(ask.fingerprint).toBe(sshd.hostKeyFingerprint);
    // A fingerprint that was never presented cannot be trusted.
    expect(await t.gateway.dispatcher.call('terminal.acceptHostKey', { connectionId: 'prod-tofu', fingerprint: OTHER_FP })).toEqual({ ok: { trusted: false } });
    expect(await t.gateway.dispatcher.call('terminal.acceptHostKey', { connectionId: 'prod-tofu', fingerprint: ask.fingerprint! })).toEqual({ ok: { trusted: true } });
    await term.ready();
    expect(JSON.parse(await readFile(file, 'utf8')).hosts[`127.0.0.1:${sshd.port}`].fingerprint).toBe(sshd.hostKeyFingerprint);
    // Second time: known, no question.
    const again = await TestTerminal.open(t, 'prod-tofu');
    await again.ready();
    expect(again.states()).not.toContain('host-key-unknown');
    await t.close();
    // A fresh gateway reading the same file trusts it too.
    const t2 = startTestGateway([{ config: sshConnection('prod-tofu', sshd), privateKey: sshd.privateKey }], { knownHostsFile: file });
    const third = await TestTerminal.open(t2, 'prod-tofu');
    await third.ready();
    await t2.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails an unanswered host key question after the timeout', async () => {
    const t = startTestGateway([{ config: sshConnection('prod-wait', sshd), privateKey: sshd.privateKey }], { trustTimeoutMs: 300 });
    const term = await TestTerminal.open(t, 'prod-wait');
    await until(() => term.states().includes('disconnected'), 'disconnected');
    expect(term.states()).toEqual(['connecting', 'host-key-unknown', 'disconnected']);
    expect(term.mine('terminal.state').at(-1)?.message).toMatch(/not trusted/);
    await t.close();
  });

  it('refuses a CHANGED host key, naming both fingerprints', async () => {
    const knownHosts = new InMemoryKnownHosts();
    await knownHosts.set(`127.0.0.1:${sshd.port}`, OTHER_FP);
    const t = startTestGateway([{ config: sshConnection('prod-changed', sshd), privateKey: sshd.privateKey }], { knownHosts });
    const term = await TestTerminal.open(t, 'prod-changed');
    await until(() => term.states().includes('disconnected'), 'disconnected');
    const msg = term.mine('terminal.state').at(-1)?.message ?? '';
    expect(msg).toMatch(/CHANGED/);
    expect(msg).toContain(`Expected ${OTHER_FP}`);
    expect(msg).toContain(sshd.hostKeyFingerprint);
    expect(term.states()).not.toContain('host-key-unknown');
    await t.close();
  });

  it('a damaged known-hosts file is refused, not treated as empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-kh-'));
    const file = join(dir, 'known_hosts.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, '{"version":1,"hosts":{"x":{"fingerprint":"bad"}}}'));
    await expect(new JsonFileKnownHosts(file).get('x')).rejects.toThrow(/invalid/);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a role that may not use the connection, and a wrong credential says so without the key', async () => {
    const t = startTestGateway([{ config: sshConnection('other-box', sshd, { hostKey: sshd.hostKeyFingerprint }), privateKey: sshd.privateKey }]);
    const r = await t.gateway.dispatcher.call('terminal.open', { connectionId: 'other-box', cols: 80, rows: 24 });
    expect(r).toMatchObject({ error: { code: 'forbidden' } });
    await t.close();
    const wrong = await startSshd();
    const t2 = startTestGateway([{ config: sshConnection('prod-wrongkey', sshd, { hostKey: sshd.hostKeyFingerprint }), privateKey: wrong.privateKey }]);
    const term = await TestTerminal.open(t2, 'prod-wrongkey');
    await until(() => term.states().includes('disconnected'), 'disconnected');
    expect(term.mine('terminal.state').at(-1)?.message).toMatch(/Authentication .* failed/);
    expect(JSON.stringify(t2.events) + t2.logText()).not.toContain(wrong.privateKey.split('\n')[1]!);
    await t2.close();
    await wrong.stop();
  });
});

describe('dropped connection', () => {
  it('reports disconnected with a message when the server goes away', async () => {
    const sshd = await startSshd();
    const t = startTestGateway([{ config: sshConnection('prod-drop', sshd, { hostKey: sshd.hostKeyFingerprint }), privateKey: sshd.privateKey }]);
    const term = await TestTerminal.open(t, 'prod-drop');
    await term.ready();
    await sshd.stop();
    await until(() => term.states().includes('disconnected'), 'disconnected', 20_000);
    expect(term.mine('terminal.state').at(-1)?.message).toMatch(/lost|ended|exited/);
    // Input to a gone session is not accepted.
    expect(await t.gateway.dispatcher.call('terminal.input', { terminalId: term.id, data: 'ls\r' })).toMatchObject({ error: { code: 'not_found' } });
    await t.close();
  });
});
