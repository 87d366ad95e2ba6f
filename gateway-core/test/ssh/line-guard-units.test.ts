// Unit tests: the keystroke model, the screen-model reading of the input line, the Enter verdict,
// and chunk-boundary masking through the session's output path.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createMasker } from '../../src/masking/index.js';
import { ShellPolicySchema } from '../../src/policy/shell/index.js';
import { LineEditor, tokenizeInput } from '../../src/ssh/input-keys.js';
import { judgeEnter } from '../../src/ssh/line-guard.js';
import { ScreenModel, type ScreenReading } from '../../src/ssh/screen-model.js';
import type { SshConnection } from '../../src/ssh/ssh-connect.js';
import { TerminalSession } from '../../src/ssh/terminal-session.js';

const policy = ShellPolicySchema.parse({});

function typed(data: string): LineEditor {
  const e = new LineEditor();
  for (const k of tokenizeInput(data)) e.apply(k);
  return e;
}

describe('keystroke model', () => {
  it.each([
    ['ls -l', 'ls -l', true],
    ['lss\x7f -l', 'ls -l', true],
    ['s -l\x01l', 'ls -l', true],
    ['ls -x\x1b[D\x1b[3~l\x1b[F', 'ls -l', true],
    ['echo rm -rf /\x01\x1b[3~\x1b[3~\x1b[3~\x1b[3~\x1b[3~', 'rm -rf /', true],
    ['junk words\x15ls', 'ls', true],
    ['ls foo\x17\x17pwd', 'pwd', true],
    ['ls\x1b[A', 'ls', false], // history
    ['l\t', 'l', false], // completion
    ['\x1b[200~a\rb\x1b[201~', 'a\nb', true], // bracketed paste: newlines are literal
  ])('%j → %j (certain=%s)', (input, text, certain) => {
    const e = typed(input);
    expect(e.text).toBe(text);
    expect(e.certain).toBe(certain);
  });
});

/** Feeds output, marks where input starts after `prompt`, then feeds the echo. */
async function screenAfter(prompt: string, echo: string, cols = 40): Promise<ScreenReading> {
  const s = new ScreenModel(cols, 10);
  s.write(prompt);
  await s.markInputStart();
  s.write(echo);
  const r = await s.read();
  s.dispose();
  return r;
}

describe('screen model: reading the input line', () => {
  it('strips the prompt by the anchor', async () => {
    const r = await screenAfter('out\r\n\x1b[1;32muser@h\x1b[0m:~$ ', 'ls -l');
    expect(r.prompt).toBe('user@h:~$ ');
    expect(r.region).toBe('ls -l');
    expect(r.full).toBe('user@h:~$ ls -l');
  });

  it('follows readline redraws: backspaces, cursor moves, erase to end of line', async () => {
    // Typed "echo rm -rf /", then Home and five deletes, as bash redraws them.
    const r = await screenAfter('$ ', 'echo rm -rf /\b\b\b\b\b\b\b\b\b\b\b\b\b\x1b[5Prm -rf /');
    expect(r.region?.trimEnd()).toBe('rm -rf /');
  });

  it('history recall replaces the line (CR, prompt redraw, erase)', async () => {
    const r = await screenAfter('$ ', 'ls\r\x1b[K$ rm -rf /');
    expect(r.region).toBe('rm -rf /');
  });

  it('joins a wrapped line and keeps spaces at the wrap', async () => {
    const line = 'echo ' + 'a'.repeat(30) + ' bbb ccc';
    const r = await screenAfter('$ ', line, 20);
    expect(r.region).toBe(line);
  });

  it('reads a multi-line (continuation) input area', async () => {
    const r = await screenAfter('$ ', 'cat <<EOF\r\n> x\r\n> EOF');
    expect(r.region).toBe('cat <<EOF\n> x\n> EOF');
  });

  it('loses the anchor when a burst is truncated, and reports the alternate screen', async () => {
    const s = new ScreenModel(40, 10, { maxPendingBytes: 1000, keepBytes: 200 });
    s.write('$ ');
    await s.markInputStart();
    s.write(`x\r\n${'y'.repeat(50)}\r\n`.repeat(40) + '\x1b[?1049h');
    const r = await s.read();
    expect(r.region).toBeUndefined();
    expect(r.altScreen).toBe(true);
    s.dispose();
  });
});

const reading = (region: string | undefined, full: string, prompt = '$ '): ScreenReading => ({ region, full, prompt, altScreen: false });

describe('Enter verdict: keys and screen combined', () => {
  it('keys and screen agree', () => {
    const v = judgeEnter({ typed: 'ls', certain: true, continuation: [], reading: reading('ls', '$ ls') }, policy);
    expect(v).toMatchObject({ source: 'keys', decision: { action: 'allow' } });
  });
  it('recalled line is judged from the screen', () => {
    const v = judgeEnter({ typed: 'x', certain: false, continuation: [], reading: reading('rm -rf /', '$ rm -rf /') }, policy);
    expect(v).toMatchObject({ source: 'screen', decision: { action: 'deny', rule: 'rm-recursive-system-path' } });
  });
  it('a mispositioned anchor does not hide a command behind the prompt text', () => {
    const v = judgeEnter({ typed: '', certain: false, continuation: [], reading: reading('host:~$ rm -rf /', 'host:~$ rm -rf /', '') }, policy);
    expect(v.decision.action).toBe('deny');
  });
  it('screen and keys disagree → fail closed', () => {
    const v = judgeEnter({ typed: 'ls', certain: true, continuation: [], reading: reading('ls; reboot', '$ ls; reboot') }, policy);
    expect(v.source).toBe('mismatch');
    expect(v.decision.action).toBe('deny');
  });
  it('no echo (password prompt): the keys are judged and kept secret', () => {
    const v = judgeEnter({ typed: 'hunter2', certain: true, continuation: [], reading: reading('', '[sudo] password: ') }, policy);
    expect(v).toMatchObject({ source: 'keys-no-echo', secret: true, decision: { action: 'allow' } });
    const w = judgeEnter({ typed: 'rm -rf /', certain: true, continuation: [], reading: reading('', '$ ') }, policy);
    expect(w.decision.action).toBe('deny');
  });
  it('unreadable recalled line → fail closed', () => {
    const v = judgeEnter({ typed: '', certain: false, continuation: [], reading: reading(undefined, '', undefined) }, policy);
    expect(v).toMatchObject({ source: 'not-found', decision: { action: 'deny' } });
  });
  it('open quote continues; the whole command is judged when complete', () => {
    const first = judgeEnter({ typed: 'echo "a', certain: true, continuation: [], reading: reading('echo "a', '$ echo "a') }, policy);
    expect(first).toMatchObject({ incomplete: true, decision: { action: 'allow' } });
    const second = judgeEnter({ typed: '"; rm -rf /', certain: true, continuation: ['echo "a'], reading: reading('"; rm -rf /', '> "; rm -rf /') }, policy);
    expect(second.decision.action).toBe('deny');
  });
});

describe('output path: masking across chunk boundaries', () => {
  it('every split point of a card number and an email is masked', async () => {
    const text = 'order paid with 4111 1111 1111 1111 by jane.doe@example.com\r\n$ ';
    const masker = createMasker({ detectors: 'all' });
    for (let i = 1; i < text.length; i++) {
      const channel = Object.assign(new EventEmitter(), { stderr: new EventEmitter(), write: () => true, setWindow: () => undefined, close: () => undefined });
      const client = Object.assign(new EventEmitter(), {
        shell: (_o: unknown, cb: (e: Error | undefined, ch: unknown) => void) => cb(undefined, channel),
        end: () => undefined,
      });
      let out = '';
      const session = new TerminalSession({
        id: 't',
        connectionName: 'fake',
        cols: 80,
        rows: 24,
        term: 'xterm',
        masker,
        shellPolicy: () => policy,
        connect: async () => ({ client, fingerprint: '', secretValues: [] }) as unknown as SshConnection,
        emit: (event, payload) => {
          if (event === 'terminal.output') out += (payload as { data: string }).data;
        },
        logger: { info: () => undefined, error: () => undefined, warn: () => undefined, debug: () => undefined } as never,
        onClosed: () => undefined,
      });
      await session.start();
      channel.emit('data', Buffer.from(text.slice(0, i)));
      channel.emit('data', Buffer.from(text.slice(i)));
      await new Promise((r) => setTimeout(r, 15)); // the hold-back flush timer
      session.close();
      expect(out, `split at ${i}`).not.toMatch(/4111 1111 1111 1111|1111 1111 1111 1111|jane\.doe@example\.com|@example\.com/);
      expect(out, `split at ${i}`).toContain('order paid with');
      expect(out, `split at ${i}`).toContain('1111 by'); // last four kept
    }
  });
});
