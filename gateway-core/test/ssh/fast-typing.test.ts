// A first command typed the instant a shell connects (a fast typist, a one-line paste, input sent
// before the prompt is drawn) and keys whose echo comes back late (a slow link, a busy host) must
// run when harmless, and be refused when not. Each "on connect" repetition opens a fresh session,
// because that race is between the first keys and the shell's first prompt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSH_TARGETS, type SshTarget } from './ssh-targets.js';
import { sshConnection, startSlowLink, startTestGateway, TestTerminal, until, type TestGateway } from './harness.js';


const REPS = 20;
const LINK_DELAY_MS = 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each(SSH_TARGETS)('fast and early typing on %s', (_name, start) => {
  let target: SshTarget;
  let slowLink: Awaited<ReturnType<typeof startSlowLink>>;
  let t: TestGateway;

  beforeAll(async () => {
    target = await start();
    slowLink = await startSlowLink(target.port, LINK_DELAY_MS);
    const pin = { hostKey: target.hostKeyFingerprint };
    t = startTestGateway([
      { config: sshConnection('prod-target', target, pin), privateKey: target.privateKey },
      { config: sshConnection('prod-slow', { ...target, port: slowLink.port }, pin), privateKey: target.privateKey },
    ]);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await slowLink?.close();
    await target?.stop();
  });

  /** Opens a session and runs `send` the moment it reports 'connected' (before any prompt). */
  async function typeOnConnect(connectionId: string, send: (term: TestTerminal) => Promise<void>): Promise<TestTerminal> {
    const term = await TestTerminal.open(t, connectionId);
    let sent: Promise<void> | undefined;
    // Synchronously on the event, not by polling: the keys must beat the shell's first prompt.
    const detach = t.gateway.events.attach((event, payload) => {
      const p = payload as { terminalId?: string; state?: string };
      if (event === 'terminal.state' && p.terminalId === term.id && p.state === 'connected') sent ??= send(term);
    });
    try {
      await until(() => sent ?? term.states().includes('disconnected'), 'connected');
      expect(term.states()).toContain('connected');
      await sent;
    } finally {
      detach();
    }
    return term;
  }

  async function expectHello(term: TestTerminal, word = 'hello'): Promise<void> {
    // The word on a line of its own: the command's output, not its echo.
    await term.waitOutput(new RegExp(`(^|\\n)${word}\\n[\\s\\S]*[$#] $`), `${word} and the next prompt`);
    expect(term.mine('terminal.guard')).toEqual([]);
    expect(term.states()).not.toContain('blocked');
  }

  it(`runs "echo hello" sent as one input on connect, ${REPS} times`, async () => {
    for (let i = 0; i < REPS; i++) {
      const term = await typeOnConnect('prod-target', (term) => term.type('echo hello\r'));
      await expectHello(term);
      await term.close();
    }
  }, 120_000);

  it(`runs "echo hello" typed key by key with no delay on connect, ${REPS} times`, async () => {
    for (let i = 0; i < REPS; i++) {
      const term = await typeOnConnect('prod-target', async (term) => {
        for (const c of 'echo hello\r') await term.type(c);
      });
      await expectHello(term);
      await term.close();
    }
  }, 120_000);

  it('still refuses rm -rf / typed on connect', async () => {
    for (let i = 0; i < 5; i++) {
      const term = await typeOnConnect('prod-target', (term) => term.type('rm -rf /\r'));
      await until(() => term.mine('terminal.guard').length > 0, 'guard notice');
      expect(term.mine('terminal.guard')[0]?.notice).toMatchObject({ action: 'deny', rule: 'rm-recursive-system-path' });
      await term.close();
    }
  }, 60_000);

  it(`runs lines typed on connect over a link with ${LINK_DELAY_MS} ms latency`, async () => {
    for (const keyByKey of [false, true]) {
      const term = await typeOnConnect('prod-slow', async (term) => {
        if (!keyByKey) return term.type('echo hello\r');
        for (const c of 'echo hello\r') await term.type(c);
      });
      await expectHello(term);
      await term.close();
    }
  }, 60_000);

  it(`runs lines typed faster than a ${LINK_DELAY_MS} ms link echoes them (was: refused as a mismatch)`, async () => {
    const term = await TestTerminal.open(t, 'prod-slow');
    await term.ready();
    for (let i = 0; i < 3; i++) {
      // A key every 60 ms, Enter 60 ms after the last: the echo lags the keys by more than the
      // broker's quiet spell, so the screen shows part of the line when Enter arrives.
      for (const c of `echo hello${i}`) {
        await term.type(c);
        await sleep(60);
      }
      await term.type('\r');
      await expectHello(term, `hello${i}`);
    }
    await term.close();
  }, 60_000);

  it('blocks a history line edited into a denied command over the slow link (was: judged on the stale screen)', async () => {
    const term = await TestTerminal.open(t, 'prod-slow');
    await term.ready();
    await term.run(`cd ${target.dir}`);
    // mkfs on a device that does not exist: denied by the policy, and harmless if it ever ran.
    expect(await term.run('echo mkfs.ext4 /dev/gatehouse-none')).toMatch(/\nmkfs\.ext4 \/dev\/gatehouse-none\n/);
    await term.type('\x1b[A');
    await term.waitOutput(/echo mkfs\.ext4 \/dev\/gatehouse-none$/, 'recalled line');
    // Ctrl-A, five Deletes and Enter in one chunk: their echo is still on the link at Enter.
    await term.type(`\x01${'\x1b[3~'.repeat(5)}\r`);
    await until(() => term.mine('terminal.guard').length > 0, 'guard notice');
    expect(term.mine('terminal.guard')[0]?.notice).toMatchObject({ action: 'deny', rule: 'mkfs' });
    await term.waitOutput(/Gatehouse\] blocked[\s\S]*[$#] $/, 'notice and prompt');
    expect(term.output()).not.toMatch(/does not exist and no size was specified|mkfs\.ext4: (command )?not found/);
    await term.close();
  }, 60_000);
});
