// Bulk plain output is shortened before the keyframe model parses it (plain-tail.ts). That is
// only sound if every keyframe comes out exactly as from parsing everything: checked here against
// a terminal fed the whole stream, for bursts that start mid-screen, mid-line, in colour, on the
// alternate screen, with wide characters, tabs and wrapping lines, and for the cases where
// shortening must not happen (escapes in the burst, a scroll region set earlier).
import { describe, expect, it } from 'vitest';
import { createReplayTerminal, drained, KEYFRAME_SCROLLBACK, KeyframeModel } from '../../src/recording/keyframes.js';
import { plainTail } from '../../src/recording/plain-tail.js';

const ESC = '\x1b';

/** Deterministic pseudo-random lines: words, tabs, wide characters, some longer than the screen. */
function burst(lines: number, seed: number): string {
  let x = seed;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const words = ['alpha', 'beta', '\t', 'gamma', '数据', 'delta', 'x'.repeat(90), 'ε', '42'];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    let line = `${i}:`;
    for (let w = rnd(12); w > 0; w--) line += ` ${words[rnd(words.length)]}`;
    out.push(line);
  }
  return `${out.join('\r\n')}\r\n`;
}

/** The model's keyframe and a terminal fed every byte, after the same chunks. */
async function bothAfter(chunks: readonly string[], cols = 80, rows = 24): Promise<{ model: string; full: string; shortenable: boolean }> {
  const model = new KeyframeModel(cols, rows, 1e9);
  const full = createReplayTerminal(cols, rows);
  let shortenable = false;
  for (const c of chunks) {
    model.write(c);
    full.term.write(c);
    shortenable ||= plainTail(c, rows + KEYFRAME_SCROLLBACK + 2) !== undefined;
  }
  const snap = await model.snapshot(KEYFRAME_SCROLLBACK);
  await drained(full.term);
  model.dispose();
  const cursor = `\n@${full.term.buffer.active.cursorX},${full.term.buffer.active.cursorY}`;
  return { model: snap!.screen, full: full.serialize(KEYFRAME_SCROLLBACK) + cursor, shortenable };
}

describe('plain bursts shortened for the keyframe model', () => {
  const cases: Array<[string, string[]]> = [
    ['a burst after a prompt', ['user@host:~$ cat big.log\r\n', burst(5000, 1), 'user@host:~$ ']],
    ['a burst that starts mid-screen after a clear', [`${ESC}[2J${ESC}[H`, 'first\r\n', burst(4000, 2)]],
    ['a burst that starts mid-line and ends without a newline', ['partial line ', burst(3000, 3), 'no newline at the end']],
    ['a burst in colour (the attribute carries over)', [`${ESC}[1;31mred from here `, burst(3000, 4), `tail${ESC}[0m`]],
    ['a burst on the alternate screen', [`${ESC}[?1049h`, burst(3000, 5), `${ESC}[?1049l`, 'back\r\n']],
    ['two bursts around a resize-free prompt', [burst(2500, 6), '$ ', 'ls\r\n', burst(2500, 7)]],
    // One row per line: the kept lines must cover the screen and all 1000 scrollback lines exactly.
    ['a burst of short lines', ['$ seq 1 20000\r\n', `${Array.from({ length: 20000 }, (_, i) => String(i + 1)).join('\r\n')}\r\n`, '$ ']],
  ];
  for (const [name, chunks] of cases) {
    it(`${name}: the keyframe equals a full parse`, async () => {
      const r = await bothAfter(chunks);
      // (the premise: this input is one the model shortens)
      expect(r.shortenable).toBe(true);
      // The model's screen plus where its cursor is, as the full terminal has them.
      const model = createReplayTerminal(80, 24);
      model.term.write(r.model);
      await drained(model.term);
      const cursor = `\n@${model.term.buffer.active.cursorX},${model.term.buffer.active.cursorY}`;
      expect(model.serialize(KEYFRAME_SCROLLBACK) + cursor).toBe(r.full);
    });
  }

  it('does not shorten text with escapes in the skipped part, nor after a scroll region was set', () => {
    const colours = burst(3000, 8).replace(/beta/g, `${ESC}[32mbeta${ESC}[0m`);
    expect(plainTail(colours, 24 + KEYFRAME_SCROLLBACK + 2)).toBeUndefined();
    expect(plainTail(burst(3000, 9), 24 + KEYFRAME_SCROLLBACK + 2)).toBeDefined();
    expect(plainTail(burst(100, 10), 24 + KEYFRAME_SCROLLBACK + 2)).toBeUndefined(); // too short to be worth it
  });

  it('after a scroll region, keyframes still equal a full parse (nothing is shortened)', async () => {
    const chunks = [`${ESC}[5;20r${ESC}[20;1H`, burst(3000, 11), `${ESC}[24;1Hstatus`];
    const model = new KeyframeModel(80, 24, 1e9);
    const full = createReplayTerminal(80, 24);
    for (const c of chunks) {
      model.write(c);
      full.term.write(c);
    }
    const snap = await model.snapshot(KEYFRAME_SCROLLBACK);
    await drained(full.term);
    expect(snap!.screen).toBe(full.serialize(KEYFRAME_SCROLLBACK));
    model.dispose();
  });
});
