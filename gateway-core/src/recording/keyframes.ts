/**
 * Seek keyframes for terminal recordings: a headless xterm fed with exactly the recorded `o` and
 * `r` events, serialised every few seconds of output, so a player can jump into a long session
 * by loading the nearest keyframe and replaying only what follows it.
 *
 * The model is fed through xterm's own write queue, and resizes go through that queue too (a
 * write callback), because xterm parses asynchronously: a resize applied at once would land
 * before output that was recorded ahead of it. A snapshot taken in a write callback therefore
 * shows the screen after exactly the events written before it.
 *
 * xterm parses roughly 20 MB/s. Bulk plain output is shortened to its last lines before parsing
 * (plain-tail.ts), and the terminal session pauses its shell while the model is behind
 * (RecordingPace). Should output still get ahead of the model by more than `maxBacklogBytes`,
 * keyframing stops for the session (the model would otherwise hold the whole burst in memory);
 * earlier keyframes stay valid and the player replays from the last one.
 *
 * Size: a keyframe need not carry the model's whole scrollback. The screen a seek lands on is
 * the same with any amount; scrollback only decides how far the user can scroll up right after
 * a seek. `snapshot(scrollback)` takes the number of scrollback lines to serialise, so the
 * recorder can keep keyframes (and the index, which is mostly keyframes) small.
 *
 * Limits (from @xterm/addon-serialize): scroll regions, tab stops, character sets and saved
 * cursors are not serialised, so a full-screen program that set them can differ right after a
 * seek until it redraws. Shell sessions are unaffected.
 */
import xtermHeadless from '@xterm/headless';
import type { Terminal as TerminalType } from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import { plainTail, SCROLL_REGION } from './plain-tail.js';

const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializeAddon;

/** Scrollback kept in the model (as in the player's terminal): the most a keyframe can carry. */
export const KEYFRAME_SCROLLBACK = 1000;

/**
 * Scrollback lines serialised into each keyframe: about four screens to scroll back through right
 * after a seek (more appears as playback goes on). With all 1000, a one-hour recording's index was
 * larger than its body (1.1-1.4×), loading it took 1.5× as long, and a typical seek spent most of
 * its time parsing scrollback (BENCHMARKS.md, "Session recording").
 */
export const KEYFRAME_SERIALIZED_SCROLLBACK = 200;

/**
 * Output (characters) after which the recorder takes a keyframe even before its interval is up,
 * so that a seek into a burst (a large `cat` arrives within one interval) replays at most about
 * this much: ~60 ms in the player, where 5 MB between two keyframes took over 200 ms.
 */
export const KEYFRAME_MAX_OUTPUT = 1024 * 1024;

export interface Snapshot {
  cols: number;
  rows: number;
  screen: string;
}

/**
 * A headless terminal as a player (or the recorder) builds it: same options everywhere.
 * `serialize(n)` gives the screen with its last `n` scrollback lines (default: all it keeps).
 */
export function createReplayTerminal(cols: number, rows: number): { term: TerminalType; serialize: (scrollback?: number) => string } {
  const term = new Terminal({ cols, rows, scrollback: KEYFRAME_SCROLLBACK, allowProposedApi: true });
  const addon = new SerializeAddon();
  term.loadAddon(addon);
  return { term, serialize: (scrollback = KEYFRAME_SCROLLBACK) => addon.serialize({ scrollback: Math.min(scrollback, KEYFRAME_SCROLLBACK) }) };
}

/** Resolves once everything written so far is parsed. */
export function drained(term: TerminalType): Promise<void> {
  return new Promise((resolve) => term.write('', resolve));
}

export class KeyframeModel {
  private readonly term: TerminalType;
  private readonly serialize: (scrollback?: number) => string;
  /** Characters written and not parsed yet (queued here or in xterm's write buffer). */
  private backlog = 0;
  private disposed = false;
  /**
   * Output and ordered operations (resize, snapshot) not handed to xterm yet. While xterm parses
   * one batch the next accumulates, so a burst reaches it as one long text that plainTail can
   * shorten.
   */
  private readonly queue: Array<string | (() => void)> = [];
  /** Writes handed to xterm whose callbacks have not run. */
  private inParser = 0;
  private maxRows: number;
  /** Off for good once the output set a scroll region (see plain-tail.ts). */
  private shorten = true;
  /** whenBacklogBelow callers: resolved as the parser catches up (or the model is given up). */
  private readonly drainWaiters: Array<{ below: number; resolve: () => void }> = [];
  /** Snapshots not taken yet: settled with undefined if the model is given up meanwhile. */
  private readonly waiting = new Set<(s: Snapshot | undefined) => void>();

  constructor(
    cols: number,
    rows: number,
    private readonly maxBacklogBytes = 8 * 1024 * 1024,
  ) {
    ({ term: this.term, serialize: this.serialize } = createReplayTerminal(cols, rows));
    this.maxRows = rows;
  }

  /** Characters written but not parsed yet. */
  get backlogChars(): number {
    return this.backlog;
  }

  /** Resolves once the unparsed backlog is at most `below` characters (at once if disposed). */
  whenBacklogBelow(below: number): Promise<void> {
    if (this.disposed || this.backlog <= below) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ below, resolve }));
  }

  /** False once disposed or given up on (backlog too large). */
  get active(): boolean {
    return !this.disposed;
  }

  write(data: string): void {
    if (this.disposed) return;
    this.backlog += data.length;
    if (this.backlog > this.maxBacklogBytes) return this.dispose();
    if (this.shorten && data.includes('\x1b[') && SCROLL_REGION.test(data)) this.shorten = false;
    this.queue.push(data);
    this.pump();
  }

  resize(cols: number, rows: number): void {
    if (this.disposed) return;
    this.maxRows = Math.max(this.maxRows, rows);
    this.queue.push(() => !this.disposed && this.term.resize(cols, rows));
    this.pump();
  }

  /**
   * The screen after everything written so far, with up to `scrollback` lines above it
   * (undefined if the model was given up).
   */
  snapshot(scrollback = KEYFRAME_SCROLLBACK): Promise<Snapshot | undefined> {
    if (this.disposed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.add(resolve);
      this.queue.push(() => {
        this.waiting.delete(resolve);
        resolve(this.disposed ? undefined : { cols: this.term.cols, rows: this.term.rows, screen: this.serialize(scrollback) });
      });
      this.pump();
    });
  }

  /** Hands everything queued to xterm, in order, once it has parsed the previous batch. */
  private pump(): void {
    if (this.inParser > 0 || this.queue.length === 0 || this.disposed) return;
    const items = this.queue.splice(0);
    for (let i = 0; i < items.length; ) {
      const item = items[i]!;
      if (typeof item === 'function') {
        this.inParser++;
        this.term.write('', () => this.parsed(0, item));
        i++;
        continue;
      }
      let text = '';
      for (; i < items.length && typeof items[i] === 'string'; i++) text += items[i] as string;
      const fed = (this.shorten && plainTail(text, this.maxRows + KEYFRAME_SCROLLBACK + 2)) || text;
      this.inParser++;
      this.term.write(fed, () => this.parsed(text.length));
    }
  }

  private parsed(chars: number, then?: () => void): void {
    this.inParser--;
    this.backlog -= chars;
    then?.();
    if (this.drainWaiters.length > 0) this.wakeDrained();
    if (this.inParser === 0) this.pump();
  }

  private wakeDrained(): void {
    for (let k = this.drainWaiters.length - 1; k >= 0; k--) {
      const w = this.drainWaiters[k]!;
      if (this.disposed || this.backlog <= w.below) {
        this.drainWaiters.splice(k, 1);
        w.resolve();
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.queue.length = 0;
    this.wakeDrained();
    this.term.dispose();
    for (const resolve of this.waiting) resolve(undefined);
    this.waiting.clear();
  }
}
