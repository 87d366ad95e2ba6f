// Keyframe size and spacing: keyframes carry a short scrollback (the index stays well below the
// recording), bursts get keyframes by volume (a seek into one replays little), and recordings
// made with the former 1000-line keyframes still verify and seek the same way.
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMasker } from '../../src/masking/index.js';
import { createReplayTerminal, drained, KEYFRAME_MAX_OUTPUT, KEYFRAME_SCROLLBACK, KEYFRAME_SERIALIZED_SCROLLBACK } from '../../src/recording/keyframes.js';
import { readRecording } from '../../src/recording/read-recording.js';
import type { KeyframeEntry } from '../../src/recording/recording-format.js';
import { createTerminalRecorder, type TerminalRecorderOptions } from '../../src/recording/terminal-recorder.js';
import { verifyRecording } from '../../src/recording/verify.js';
import { quietLogger, replay } from './recording-helpers.js';

const masker = createMasker({ detectors: 'all', columns: {} });
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-kf-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Event = readonly [number, string, string];

/** 1500 numbered lines over 75 s of a fake clock, a resize and an alternate-screen spell among them. */
async function record(name: string, extra: Partial<TerminalRecorderOptions> = {}) {
  let now = 0;
  const rec = createTerminalRecorder({ path: join(dir, name), sessionId: 's', user: 'u', connectionId: 'c', cols: 60, rows: 12, recordInput: false, masker, logger: quietLogger, now: () => now, ...extra });
  for (let i = 0; i < 1500; i++) {
    now += 50;
    rec.output(`\x1b[3${i % 8}mline ${i} ${'='.repeat(i % 40)}\x1b[0m\r\n`);
    if (i === 700) rec.resize(80, 16);
    if (i === 1000) rec.output('\x1b[?1049hfull-screen program\r\n');
    if (i === 1100) rec.output('\x1b[?1049l');
  }
  await rec.close();
  const back = await readRecording(rec.path);
  if (back.kind !== 'terminal') throw new Error('kind');
  return { path: rec.path, keyframes: back.keyframes, events: back.events.map((e) => [e[0], e[1], e[2]] as const) };
}

/** Lines a keyframe's screen fills in the normal buffer (scrollback + rows). */
async function bufferLines(kf: KeyframeEntry): Promise<number> {
  const { term } = createReplayTerminal(kf.cols, kf.rows);
  term.write(kf.screen);
  await drained(term);
  const n = term.buffer.normal.length;
  term.dispose();
  return n;
}

/** Seeking to `target` through the nearest keyframe shows what replaying from the start shows. */
async function expectSeekMatches(keyframes: KeyframeEntry[], events: Event[], target: number): Promise<void> {
  const upTo = events.filter((e) => e[0] <= target);
  const full = await replay(60, 12, upTo);
  // Event i is line i + 1 of the file; a keyframe's `seq` is a line number.
  const kf = [...keyframes].reverse().find((k) => k.seq <= upTo.length)!;
  const seeked = await replay(kf.cols, kf.rows, upTo.slice(kf.seq), kf.screen);
  expect(seeked, `seek to ${target}s via the keyframe after event ${kf.seq}`).toEqual(full);
}

describe('keyframe size', () => {
  it(`keyframes carry at most ${KEYFRAME_SERIALIZED_SCROLLBACK} scrollback lines, and seeking through them shows the same screen`, async () => {
    const { path, keyframes, events } = await record('short.cast');
    expect(keyframes.length).toBeGreaterThanOrEqual(12);
    const lines = await Promise.all(keyframes.map(bufferLines));
    for (const [i, n] of lines.entries()) expect(n).toBeLessThanOrEqual(KEYFRAME_SERIALIZED_SCROLLBACK + keyframes[i]!.rows);
    // Late keyframes have more history than that: it was cut, not missing.
    expect(Math.max(...lines)).toBeGreaterThan(KEYFRAME_SERIALIZED_SCROLLBACK);
    for (const target of [12.3, 36, 52.5, 55, 71.2]) await expectSeekMatches(keyframes, events, target);
    expect(await verifyRecording(path)).toMatchObject({ intact: true, sealed: true });
  });

  it('recordings with the former 1000-line keyframes still read, verify and seek the same', async () => {
    const old = await record('old.cast', { keyframeScrollback: KEYFRAME_SCROLLBACK, keyframeMaxOutput: 0 });
    const now = await record('now.cast');
    expect(await verifyRecording(old.path)).toMatchObject({ intact: true, sealed: true });
    expect(Math.max(...(await Promise.all(old.keyframes.map(bufferLines))))).toBeGreaterThan(KEYFRAME_SERIALIZED_SCROLLBACK + 100);
    // Same session, same places; the old keyframes are just larger.
    expect(old.keyframes.map((k) => k.seq)).toEqual(now.keyframes.map((k) => k.seq));
    const size = (kfs: KeyframeEntry[]): number => kfs.reduce((a, k) => a + k.screen.length, 0);
    expect(size(now.keyframes)).toBeLessThan(size(old.keyframes) / 2);
    for (const target of [12.3, 52.5, 71.2]) await expectSeekMatches(old.keyframes, old.events, target);
  });

  it('takes keyframes by volume within a burst, so a seek into it replays at most about KEYFRAME_MAX_OUTPUT', async () => {
    let now = 0;
    const burst = async (name: string, extra: Partial<TerminalRecorderOptions>) => {
      now = 0;
      const rec = createTerminalRecorder({ path: join(dir, name), sessionId: 's', user: 'u', connectionId: 'c', cols: 60, rows: 12, recordInput: false, masker, logger: quietLogger, now: () => now, ...extra });
      rec.output('$ cat big.log\r\n');
      // 3 MiB within one second (the keyframe interval is 5 s), in 4 KiB pieces as a pty hands them over.
      const line = `${'x'.repeat(120)}\r\n`;
      for (let i = 0; i < 3 * 256; i++) {
        if (i % 256 === 0) now += 300;
        rec.output(line.repeat(33));
      }
      now += 10_000;
      rec.output('$ ');
      // close() waits 2 s at most for snapshots xterm has not parsed up to; give the burst time.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await rec.close();
      const back = await readRecording(rec.path);
      if (back.kind !== 'terminal') throw new Error('kind');
      return { ...back, total: statSync(rec.path).size };
    };
    const timeOnly = await burst('time.cast', { keyframeMaxOutput: 0 });
    const byVolume = await burst('volume.cast', {});
    // Bytes of the recording replayed at most: between two keyframes, or from the start or to the end.
    const largestGap = (r: { keyframes: KeyframeEntry[]; total: number }): number => {
      const ends = [0, ...r.keyframes.map((k) => k.end), r.total];
      return Math.max(...ends.slice(1).map((e, i) => e - ends[i]!));
    };
    expect(largestGap(timeOnly)).toBeGreaterThan(2 * KEYFRAME_MAX_OUTPUT);
    expect(byVolume.keyframes.length).toBeGreaterThanOrEqual(3);
    // The output plus its JSON framing (~2%).
    expect(largestGap(byVolume)).toBeLessThan(KEYFRAME_MAX_OUTPUT * 1.1);
    const events = byVolume.events.map((e) => [e[0], e[1], e[2]] as const);
    const mid = byVolume.keyframes[1]!;
    const target = events[mid.seq + 40]![0];
    await expectSeekMatches(byVolume.keyframes, events, target);
  });
});
