// The terminal flows of issue 4, against a real OpenSSH sshd and against the demo's embedded
// target: the same broker code, two different servers.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSH_TARGETS, type SshTarget } from './ssh-targets.js';
import { sshConnection, startTestGateway, TestTerminal, until, type TestGateway } from './harness.js';


const CARD = '4111 1111 1111 1111';
const EMAIL = 'jane.doe@example.com';

describe.each(SSH_TARGETS)('terminal on %s', (_name, start) => {
  let target: SshTarget;
  let t: TestGateway;
  let term: TestTerminal;

  beforeAll(async () => {
    target = await start();
    t = startTestGateway([{ config: sshConnection('prod-target', target, { hostKey: target.hostKeyFingerprint }), privateKey: target.privateKey }]);
    await writeFile(join(target.dir, 'customers.txt'), `id,email,card\n1,${EMAIL},${CARD}\n2,bob@example.org,5500-0000-0000-0004\n`);
    await writeFile(join(target.dir, 'sentinel.flag'), 'still here\n');
    term = await TestTerminal.open(t, 'prod-target');
    await term.ready();
    await term.run(`cd ${target.dir}`);
  });

  afterAll(async () => {
    await t?.close();
    await target?.stop();
  });

  it('runs echo hello and ls', async () => {
    expect(await term.run('echo hello')).toMatch(/\r?\nhello\n/);
    const ls = await term.run('ls');
    expect(ls).toContain('customers.txt');
    expect(ls).toContain('sentinel.flag');
  });

  it('masks card numbers and emails in cat output', async () => {
    const out = await term.run('cat customers.txt');
    expect(out).toContain('id,email,card');
    expect(term.rawOutput()).not.toContain(CARD);
    expect(term.rawOutput()).not.toContain(EMAIL);
    expect(term.rawOutput()).not.toContain('5500-0000-0000-0004');
    expect(out).toMatch(/1111/); // partial masking keeps the last four
  });

  it('blocks rm -rf / with an inline notice; the sentinel survives', async () => {
    const out = await term.run('rm -rf /');
    expect(out).toContain('[Gatehouse] blocked');
    expect(out).toContain('[rm-recursive-system-path]');
    const notice = term.mine('terminal.guard').at(-1)?.notice;
    expect(notice).toMatchObject({ action: 'deny', rule: 'rm-recursive-system-path', command: 'rm -rf /' });
    expect(term.states()).toContain('blocked');
    expect(existsSync(join(target.dir, 'sentinel.flag'))).toBe(true);
    // The shell line was cleared: the next command runs alone.
    expect(await term.run('echo still-alive')).toMatch(/\nstill-alive\n/);
    expect(term.states().at(-1)).toBe('connected');
  });

  it('blocks a line recalled from history and edited into rm -rf /', async () => {
    expect(await term.run('echo rm -rf /')).toMatch(/\nrm -rf \/\n/);
    const before = term.mine('terminal.guard').length;
    await term.type('\x1b[A'); // up: recall "echo rm -rf /"
    await term.waitOutput(/echo rm -rf \/$/, 'recalled line');
    await term.type('\x01'); // Ctrl-A: start of line
    for (let i = 0; i < 5; i++) await term.type('\x1b[3~'); // Delete x5: drop "echo "
    await new Promise((r) => setTimeout(r, 100));
    await term.type('\r');
    await until(() => term.mine('terminal.guard').length > before, 'guard notice');
    expect(term.mine('terminal.guard').at(-1)?.notice).toMatchObject({ action: 'deny', rule: 'rm-recursive-system-path' });
    await term.waitOutput(/Gatehouse\] blocked[\s\S]*[$#] $/, 'notice and prompt');
    expect(existsSync(join(target.dir, 'sentinel.flag'))).toBe(true);
    expect(await term.run('echo ok-after-recall')).toMatch(/\nok-after-recall\n/);
  });

  it('sends nothing of a multi-line paste that holds a denied line', async () => {
    const before = term.mine('terminal.guard').length;
    await term.type('touch pasted-1.flag\rrm -rf /etc\rtouch pasted-2.flag\r');
    await until(() => term.mine('terminal.guard').length > before, 'guard notice');
    expect(term.mine('terminal.guard').at(-1)?.notice.reason).toMatch(/pasted line 2 of 3/);
    await term.waitOutput(/Gatehouse\] blocked[\s\S]*[$#] $/, 'notice');
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(join(target.dir, 'pasted-1.flag'))).toBe(false);
    expect(existsSync(join(target.dir, 'pasted-2.flag'))).toBe(false);
    // A harmless paste goes through whole.
    await term.type('touch pasted-3.flag\rtouch pasted-4.flag\r');
    await until(() => existsSync(join(target.dir, 'pasted-4.flag')), 'harmless paste ran');
    expect(existsSync(join(target.dir, 'pasted-3.flag'))).toBe(true);
    await term.waitOutput(/[$#] $/, 'prompt');
  });

  it('resizes the pty', async () => {
    await t.gateway.dispatcher.call('terminal.resize', { terminalId: term.id, cols: 132, rows: 43 });
    await new Promise((r) => setTimeout(r, 100));
    expect(await term.run('stty size')).toMatch(/\n43 132\n/);
  });

  it('keeps the credential out of every event and log line', () => {
    const all = JSON.stringify(t.events) + t.logText();
    const keyBody = target.privateKey.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    expect(all).not.toContain(target.privateKey);
    for (const line of target.privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(all).not.toContain(line);
    expect(keyBody.length).toBeGreaterThan(40);
  });

  it('runs several sessions at once', async () => {
    const second = await TestTerminal.open(t, 'prod-target');
    await second.ready();
    expect(await second.run('echo from-second')).toMatch(/\nfrom-second\n/);
    expect(await term.run('echo from-first')).toMatch(/\nfrom-first\n/);
    await second.close();
    await until(() => second.states().includes('disconnected'), 'second closed');
  });
});
