import type { Terminal } from '@xterm/xterm';
import { lastAtOrBefore, type ReplayMarker, type TerminalRecording } from './terminal-recording';

export interface ReplayState {
  /** Playback position in (idle-compressed) seconds. */
  position: number;
  duration: number;
  playing: boolean;
  speed: number;
  /** Idle gaps are capped at this many seconds; Infinity plays them in full. */
  idleCap: number;
  /** A seek is being applied to the screen. */
  seeking: boolean;
  /** How long the last seek took to draw, in ms. */
  lastSeekMs: number | null;
  /**
   * Live view: the screen shows the newest event and follows as more arrive. Seeking, playing
   * or pausing leaves it (the user looks back); follow() ("Go live") returns to the tail.
   */
  following: boolean;
}

/** Output is handed to xterm in pieces of at most this many characters (its parser slices them too). */
const WRITE_BATCH = 1 << 20;
/** The position shown is refreshed at most this often while playing. */
const EMIT_EVERY_MS = 100;
/** While following a live session, going forward by up to this many events replays them on the screen as it is. */
const FORWARD_STEP_EVENTS = 2000;

/**
 * Drives one xterm from a TerminalRecording: playback on animation frames, and seeking through
 * keyframes (the last keyframe at or before the target is written into a reset terminal of its
 * size, then the events after it are replayed up to the target). Screen operations never overlap:
 * seeks are coalesced (only the newest pending target runs) and playback waits for them.
 */
export class ReplayEngine {
  private state: ReplayState = { position: 0, duration: 0, playing: false, speed: 1, idleCap: 2, seeking: false, lastSeekMs: null, following: false };
  private readonly watchers = new Set<() => void>();
  private term: Terminal | null = null;
  /** The last event index drawn on the screen (-1: none). */
  private applied = -1;
  private busy: Promise<void> | null = null;
  private pendingSeek: number | null = null;
  private frame = 0;
  private lastFrameAt = 0;
  private lastEmitAt = 0;

  constructor(readonly recording: TerminalRecording) {}

  get snapshot(): ReplayState {
    return this.state;
  }

  subscribe = (watcher: () => void): (() => void) => {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  };

  private set(patch: Partial<ReplayState>): void {
    this.state = { ...this.state, ...patch };
    for (const w of this.watchers) w();
  }

  private timeline(): Float64Array {
    return this.recording.timeline(this.state.idleCap);
  }

  /** Call when more of the recording has been parsed: the duration grows (and a live screen follows). */
  refresh(): void {
    const ct = this.timeline();
    const duration = ct[ct.length - 1] ?? 0;
    this.set({ duration });
    // Only when there is a newer event than the one drawn (an index-only update adds none).
    if (this.state.following && this.recording.length - 1 > this.applied) this.seekTo(duration);
  }

  attach(term: Terminal): void {
    this.term = term;
    this.applied = -1;
    this.seekTo(this.state.following ? this.state.duration : this.state.position);
  }

  /** Live view ("Go live"): show the newest event now, and each new one as it is parsed. */
  follow(): void {
    cancelAnimationFrame(this.frame);
    this.set({ playing: false, following: true });
    this.seekTo(this.state.duration);
  }

  detach(): void {
    this.pause();
    this.term = null;
  }

  play(): void {
    if (this.state.playing) return;
    if (this.state.position >= this.state.duration) {
      // At the end of a recording still growing, "play" can only mean watching it live.
      if (!this.recording.sealed) return this.follow();
      this.seekTo(0);
    }
    this.lastFrameAt = performance.now();
    this.set({ playing: true, following: false });
    this.frame = requestAnimationFrame(this.tick);
  }

  /** Stops playback, and stops following a live session (the screen stays as it is). */
  pause(): void {
    cancelAnimationFrame(this.frame);
    if (this.state.playing || this.state.following) this.set({ playing: false, following: false });
  }

  setSpeed(speed: number): void {
    this.set({ speed });
  }

  /** Changes the idle cap, keeping the same event on screen. */
  setIdleCap(idleCap: number): void {
    const at = this.applied;
    this.state = { ...this.state, idleCap };
    const ct = this.timeline();
    this.set({ duration: ct[ct.length - 1] ?? 0, position: at >= 0 ? ct[at]! : 0 });
    if (this.state.following) this.seekTo(this.state.duration);
  }

  /** Seconds into the recording (real time, not compressed) at playback position `position`. */
  realTimeAt(position: number): number {
    const ct = this.timeline();
    const j = lastAtOrBefore(ct, position);
    if (j < 0) return 0;
    const times = this.recording.times;
    const next = times[j + 1] ?? times[j]!;
    return times[j]! + Math.min(position - ct[j]!, next - times[j]!);
  }

  markerPosition(marker: ReplayMarker): number {
    return this.timeline()[marker.event] ?? 0;
  }

  /** The next (dir 1) or previous (dir -1) marker from the current position, or null. */
  adjacentMarker(dir: 1 | -1): ReplayMarker | null {
    const ct = this.timeline();
    const pos = this.state.position;
    const list = this.recording.markers;
    if (dir === 1) return list.find((m) => ct[m.event]! > pos + 1e-6) ?? null;
    for (let i = list.length - 1; i >= 0; i--) if (ct[list[i]!.event]! < pos - 1e-6) return list[i]!;
    return null;
  }

  /** A seek the user asked for: it leaves live following (they are looking back). */
  seek(position: number): void {
    if (this.state.following) this.set({ following: false });
    this.seekTo(position);
  }

  private seekTo(position: number): void {
    this.pendingSeek = Math.max(0, Math.min(position, this.state.duration));
    this.set({ position: this.pendingSeek, seeking: true });
    if (!this.busy) this.busy = this.runSeeks();
  }

  private async runSeeks(): Promise<void> {
    while (this.pendingSeek !== null) {
      const target = this.pendingSeek;
      this.pendingSeek = null;
      const started = performance.now();
      await this.seekNow(target);
      if (this.pendingSeek === null) this.set({ seeking: false, lastSeekMs: Math.round((performance.now() - started) * 10) / 10 });
    }
    this.busy = null;
  }

  private async seekNow(target: number): Promise<void> {
    const term = this.term;
    if (!term) return;
    const j = lastAtOrBefore(this.timeline(), target);
    const kf = this.recording.keyframeFor(j);
    let from: number;
    let prefix = '';
    if (j >= this.applied && (!kf || kf.seq - 1 <= this.applied || (this.state.following && j - this.applied <= FORWARD_STEP_EVENTS))) {
      // Forward within the current keyframe span, or a short way while following a live session
      // (no redraw flicker): go on from what is on screen. Otherwise a later keyframe is closer
      // than the screen, and a burst can put megabytes between them.
      from = this.applied + 1;
    } else if (kf) {
      term.reset();
      if (term.cols !== kf.cols || term.rows !== kf.rows) term.resize(kf.cols, kf.rows);
      // Parsed in the same write as the events after it: one pass through xterm's write queue.
      prefix = kf.screen;
      from = kf.seq; // the event after the keyframe's (event index = seq - 1)
    } else {
      const h = this.recording.header;
      term.reset();
      if (h && (term.cols !== h.width || term.rows !== h.height)) term.resize(h.width, h.height);
      from = 0;
    }
    await this.apply(term, from, j, prefix);
  }

  /** Draws events from..to (inclusive); resizes happen between drained writes so they land in order. */
  private async apply(term: Terminal, from: number, to: number, prefix = ''): Promise<void> {
    const { codes, data, header } = this.recording;
    // From the very start (the header may have arrived after the terminal was attached): its size.
    if (from === 0 && header && (term.cols !== header.width || term.rows !== header.height)) term.resize(header.width, header.height);
    let buf = prefix;
    for (let i = from; i <= to; i++) {
      const code = codes[i];
      if (code === 'o') {
        buf += data[i]!;
        if (buf.length >= WRITE_BATCH) {
          await write(term, buf);
          buf = '';
        }
      } else if (code === 'r') {
        await write(term, buf);
        buf = '';
        const [cols, rows] = data[i]!.split('x').map(Number);
        if (cols && rows) term.resize(cols, rows);
      }
    }
    await write(term, buf);
    this.applied = to;
  }

  private readonly tick = (now: number): void => {
    if (!this.state.playing) return;
    const dt = (now - this.lastFrameAt) / 1000;
    this.lastFrameAt = now;
    const { duration, speed } = this.state;
    let position = this.busy ? this.state.position : Math.min(duration, this.state.position + dt * speed);
    const term = this.term;
    if (!this.busy && term) {
      const j = lastAtOrBefore(this.timeline(), position);
      if (j > this.applied) {
        this.busy = this.apply(term, this.applied + 1, j).then(() => {
          this.busy = null;
          if (this.pendingSeek !== null) this.busy = this.runSeeks();
        });
      }
    }
    const ended = position >= duration && this.recording.sealed;
    if (ended) position = duration;
    if (ended || now - this.lastEmitAt >= EMIT_EVERY_MS) {
      this.lastEmitAt = now;
      this.set({ position, playing: !ended });
    } else this.state = { ...this.state, position };
    if (!ended) this.frame = requestAnimationFrame(this.tick);
  };

  dispose(): void {
    this.pause();
    this.term = null;
  }
}

function write(term: Terminal, data: string): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}
