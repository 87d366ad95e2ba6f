// `gatehouse verify <recording>`: "intact (N events)" and exit 0, or the first broken event and exit 1.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentCallRecorder, createMasker, createTerminalRecorder, RecordingWriter, type Logger } from '@gatehouse/gateway-core';
import { registerVerifyCommand, runVerifyCommand } from '../../src/cli/verify-command.js';

const logger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
let dir: string;
let path: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-verify-cli-'));
  const rec = createTerminalRecorder({ path: join(dir, 's.cast'), sessionId: 's', user: 'u', connectionId: 'c', cols: 80, rows: 24, recordInput: false, masker: createMasker({ detectors: 'all', columns: {} }), logger });
  for (let i = 0; i < 5; i++) rec.output(`line ${i}\r\n`);
  await rec.close();
  path = rec.path;
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function capture(): { out: { write(s: string): boolean }; text: () => string } {
  let text = '';
  return { out: { write: (s: string) => ((text += s), true) }, text: () => text };
}

describe('gatehouse verify', () => {
  it('says intact with the event count', async () => {
    const c = capture();
    expect(await runVerifyCommand(path, {}, c.out)).toBe(0);
    expect(c.text()).toBe('intact (6 events)\n');
  });

  it('names the first broken event and exits non-zero', async () => {
    const original = await readFile(path, 'utf8');
    const lines = original.split('\n');
    [lines[2], lines[3]] = [lines[3]!, lines[2]!];
    await writeFile(path, lines.join('\n'));
    const c = capture();
    expect(await runVerifyCommand(path, {}, c.out)).toBe(1);
    expect(c.text()).toMatch(/^BROKEN at event 2 \(line 3\): reordered/);
    await writeFile(path, original);
    const missing = capture();
    expect(await runVerifyCommand(join(dir, 'nope.cast'), { json: true }, missing.out)).toBe(2);
    expect(JSON.parse(missing.text())).toMatchObject({ intact: false, reason: 'unreadable' });
  });

  it('checks agent-call recordings too: every line against the format, not only the chain', async () => {
    const masker = createMasker({ detectors: 'all', columns: {} });
    const rec = createAgentCallRecorder({ path: join(dir, 'a.agent.jsonl'), sessionId: 'a', user: 'agent', connectionId: '-', tool: 'list_connections', logger });
    rec.input({}, masker);
    rec.decision({ action: 'allow', class: null, rule: 'list', reason: 'listing is allowed' }, masker);
    rec.output('result', '[]');
    await rec.close();
    const ok = capture();
    expect(await runVerifyCommand(rec.path, { json: true }, ok.out)).toBe(0);
    expect(JSON.parse(ok.text())).toMatchObject({ intact: true, events: 4, kind: 'agent' });

    // The chain is intact, but an event the agent format does not allow is refused.
    const bad = new RecordingWriter({ path: join(dir, 'bad.agent.jsonl'), logger });
    bad.append((await readFile(rec.path, 'utf8')).split('\n')[0]!);
    bad.append(JSON.stringify({ t: 0, type: 'output', stream: 'stdin', text: 'x' }));
    await bad.close();
    const c = capture();
    expect(await runVerifyCommand(bad.path, {}, c.out)).toBe(1);
    expect(c.text()).toMatch(/^INVALID: line 2/);
  });

  it('registers as a command', () => {
    const program = new Command('gatehouse');
    registerVerifyCommand(program);
    expect(program.commands.map((c) => c.name())).toContain('verify');
  });
});
