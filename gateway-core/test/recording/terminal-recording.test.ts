// A real SSH session through the broker to a real OpenSSH sshd, recorded end to end: valid
// asciicast v2, the recorded output is byte for byte what the user was sent, replaying it gives
// the live screen, guard decisions are markers, it verifies, and nothing unmasked or secret is in it.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySecretStore, SecretResolver } from '../../src/connections/secret-resolver.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { DemoIdentityProvider } from '../../src/identity/demo-identity-provider.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import { PolicyStore } from '../../src/policy/policy-store.js';
import { readRecording } from '../../src/recording/read-recording.js';
import { verifyRecording } from '../../src/recording/verify.js';
import { startSshd, type SshdServer } from '../../../test-support/sshd/sshd-server.js';
import { sshConnection, TestTerminal, until, type Recorded, type TestGateway } from '../ssh/harness.js';
import { parseAsciicastStrict, quietLogger, replay } from './recording-helpers.js';

const CARD = '4111 1111 1111 1111';
const CARD2 = '5500-0000-0000-0004';
const EMAIL = 'jane.doe@example.com';

let sshd: SshdServer;
let dir: string;
let t: TestGateway;

beforeAll(async () => {
  sshd = await startSshd();
  dir = await mkdtemp(join(tmpdir(), 'gh-rec-term-'));
  await writeFile(join(sshd.homeDir, 'customers.txt'), `id,email,card\n1,${EMAIL},${CARD}\n2,bob@example.org,${CARD2}\n`);
  const store = new InMemorySecretStore();
  store.set('prod-target-key', sshd.privateKey);
  const gateway = createGateway({
    appInfo: { version: 'test', mode: 'configured', shell: 'browser' },
    connections: [sshConnection('prod-target', sshd, { hostKey: sshd.hostKeyFingerprint })],
    identity: new DemoIdentityProvider('engineer'),
    secrets: new SecretResolver(store, new SecretScrubber()),
    policy: new PolicyStore(loadPolicyFile()),
    logger: quietLogger,
    recordings: { dir },
  });
  const events: Recorded[] = [];
  gateway.events.attach((event, payload) => events.push({ event, payload }));
  t = { gateway, events, logText: () => '', close: () => gateway.close() };
});

afterAll(async () => {
  await t?.close();
  await sshd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('terminal recording against OpenSSH sshd', () => {
  it('records commands, a blocked line and a resize; replays to the live screen; verifies; leaks nothing', async () => {
    const term = await TestTerminal.open(t, 'prod-target', { cols: 100, rows: 30 });
    await term.ready();
    await term.run(`cd ${sshd.homeDir}`);
    expect(await term.run('echo hello')).toContain('hello');
    await term.run('cat customers.txt');
    const blocked = await term.run('rm -rf /');
    expect(blocked).toContain('[Gatehouse] blocked');
    const r = await t.gateway.dispatcher.call('terminal.resize', { terminalId: term.id, cols: 120, rows: 40 });
    expect('ok' in r).toBe(true);
    // The live output up to the resize, then the rest: what the user's own xterm was fed.
    const outputsBeforeResize = term.mine('terminal.output').length;
    await term.run('seq 1 60');
    await term.run('ls -la');
    await term.close();
    await until(() => term.states().includes('disconnected'), 'disconnected');

    const files = await readdir(join(dir, 'spool'));
    const cast = files.find((f) => f.endsWith('.cast'))!;
    expect(files.sort()).toEqual([cast, `${cast}.index.jsonl`].sort());
    const path = join(dir, 'spool', cast);
    // The session seals its recording as it ends (flush, fsync, end entry).
    let verify = await verifyRecording(path);
    for (let i = 0; i < 100 && !(verify.intact && verify.sealed); i++) {
      await new Promise((res) => setTimeout(res, 50));
      verify = await verifyRecording(path);
    }
    expect(verify).toMatchObject({ intact: true, sealed: true });

    // Valid asciicast v2, by an independent check of the spec.
    const { header, events } = parseAsciicastStrict(path);
    expect(header).toMatchObject({ version: 2, width: 100, height: 30, env: { TERM: 'xterm-256color' }, gatehouse: { kind: 'terminal', user: 'engineer', connectionId: 'prod-target', sessionId: term.id } });

    // The `o` events are exactly what terminal.output carried, in order.
    const live = term.mine('terminal.output').map((p) => p.data);
    expect(events.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).toBe(live.join(''));
    expect(events.filter((e) => e[1] === 'r').map((e) => e[2])).toEqual(['120x40']);
    expect(events.filter((e) => e[1] === 'i')).toEqual([]); // input is off by default

    const guard = events.filter((e) => e[1] === 'm').map((e) => JSON.parse(e[2]) as Record<string, string>);
    expect(guard).toContainEqual(expect.objectContaining({ type: 'guard', action: 'deny', rule: 'rm-recursive-system-path', command: 'rm -rf /' }));
    // Every line that ran is there too, so that replay search finds it.
    expect(guard.filter((m) => m.action === 'allow').map((m) => m.command)).toEqual(expect.arrayContaining(['cat customers.txt', 'seq 1 60', 'ls -la']));

    // Replaying the recording gives the screen the user saw (the live output into an xterm of the same size).
    const liveEvents: Array<[number, string, string]> = [
      ...live.slice(0, outputsBeforeResize).map((d) => [0, 'o', d] as [number, string, string]),
      [0, 'r', '120x40'],
      ...live.slice(outputsBeforeResize).map((d) => [0, 'o', d] as [number, string, string]),
    ];
    const liveScreen = await replay(100, 30, liveEvents);
    const replayed = await replay(header.width as number, header.height as number, events);
    expect(replayed).toEqual(liveScreen);
    expect(replayed.lines.join('\n')).toContain('60');

    // Read back with our own reader too: schemas hold.
    const back = await readRecording(path);
    expect(back.kind).toBe('terminal');

    // Invariant: no unmasked value and no part of the credential in the recording or its index.
    const all = (await readFile(path, 'utf8')) + (await readFile(`${path}.index.jsonl`, 'utf8'));
    for (const needle of [CARD, CARD2, EMAIL, 'bob@example.org']) expect(all.includes(needle), needle).toBe(false);
    const keyLines = sshd.privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    for (const l of keyLines) expect(all.includes(l)).toBe(false);
    expect(all).toContain('1111'); // the masked card keeps its last four, as on screen
  }, 60_000);

  it('paces a bulk cat to the keyframe model, so the whole recording stays seekable', async () => {
    // 16 MB of plain lines: faster through the broker than xterm parses it, so without pacing the
    // model falls 8 MB behind, gives up, and everything after that has no keyframe to seek from.
    const line = `${'x'.repeat(70)} pace\n`;
    await writeFile(join(sshd.homeDir, 'bulk.txt'), line.repeat(Math.ceil((16 * 1024 * 1024) / line.length)));
    const before = new Set(await readdir(join(dir, 'spool')));
    const term = await TestTerminal.open(t, 'prod-target', { cols: 100, rows: 30 });
    await term.ready();
    // (the marker is computed by the shell, so the echo of the typed line does not match it)
    await term.type(`cat ${sshd.homeDir}/bulk.txt; echo BULK-$((6*7))\r`);
    await until(() => term.mine('terminal.output').some((p) => p.data.includes('BULK-42\r\n')), 'the end of the bulk output', 60_000);
    await term.close();
    await until(() => term.states().includes('disconnected'), 'disconnected');

    const cast = (await readdir(join(dir, 'spool'))).find((f) => f.endsWith('.cast') && !before.has(f))!;
    const path = join(dir, 'spool', cast);
    let verify = await verifyRecording(path);
    for (let i = 0; i < 200 && !(verify.intact && verify.sealed); i++) {
      await new Promise((res) => setTimeout(res, 50));
      verify = await verifyRecording(path);
    }
    expect(verify).toMatchObject({ intact: true, sealed: true });
    const body = (await readFile(path)).length;
    const keyframes = (await readFile(`${path}.index.jsonl`, 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('{"k":"kf"'))
      .map((l) => JSON.parse(l) as { end: number });
    // One keyframe per MiB of output at least (KEYFRAME_MAX_OUTPUT), up to the end of the burst.
    expect(keyframes.length).toBeGreaterThanOrEqual(12);
    expect(Math.max(...keyframes.map((k) => k.end))).toBeGreaterThan(body * 0.9);
  }, 120_000);
});
