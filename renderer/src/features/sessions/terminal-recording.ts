/**
 * A terminal recording (asciicast v2 + its index) as the player holds it: events in parallel
 * arrays (a one-hour, 50 MB cast is a few hundred thousand events), markers, and keyframes.
 * Lines are checked by hand rather than with zod: the renderer imports the contract as types only,
 * and a cheap structural check per line keeps a 50 MB parse within a second or two.
 */

export type MarkerKind = 'guard' | 'approval' | 'notice' | 'recording';

export interface ReplayMarker {
  /** Index of the `m` event in the event arrays. */
  event: number;
  t: number;
  kind: MarkerKind;
  /** One line for the seek bar's tooltip and the marker list. */
  label: string;
}

export interface Keyframe {
  /** Event number (line number; the header is 0): the screen is the one after this event. */
  seq: number;
  t: number;
  /** Byte offset in the body just after event `seq`. */
  end: number;
  cols: number;
  rows: number;
  screen: string;
}

export interface CastHeader {
  width: number;
  height: number;
  startedAt: string | null;
  title: string | null;
}

const MARKER_KINDS = new Set<string>(['guard', 'approval', 'notice', 'recording']);

function markerOf(event: number, t: number, data: string): ReplayMarker {
  try {
    const m = JSON.parse(data) as Record<string, unknown>;
    const kind = (typeof m.type === 'string' && MARKER_KINDS.has(m.type) ? m.type : 'notice') as MarkerKind;
    const s = (k: string): string => (typeof m[k] === 'string' ? (m[k] as string) : '');
    const label =
      kind === 'guard'
        ? `${s('action') || 'decision'}${s('rule') ? ` by ${s('rule')}` : ''}${s('command') ? `: ${s('command')}` : ''}${s('heldId') ? ` (${s('heldId')})` : ''}`
        : kind === 'recording'
          ? `recording ${s('action')}${s('reason') ? `: ${s('reason')}` : ''}`
          : s('text') || s('reason') || kind;
    return { event, t, kind, label };
  } catch {
    // asciinema's own markers are plain labels.
    return { event, t, kind: 'notice', label: data };
  }
}

export class TerminalRecording {
  header: CastHeader | null = null;
  readonly times: number[] = [];
  readonly codes: string[] = [];
  readonly data: string[] = [];
  readonly markers: ReplayMarker[] = [];
  readonly keyframes: Keyframe[] = [];
  /** Lines that did not parse (a cut last line of a live recording, or damage). */
  skipped = 0;
  sealed = false;
  private compressed: { cap: number; upTo: number; ct: Float64Array } | null = null;

  get length(): number {
    return this.times.length;
  }

  get duration(): number {
    return this.times[this.times.length - 1] ?? 0;
  }

  addBodyLine(line: string): void {
    if (this.header === null) {
      const h = JSON.parse(line) as Record<string, unknown>;
      if (h.version !== 2 || typeof h.width !== 'number' || typeof h.height !== 'number') throw new Error('This is not an asciicast v2 recording.');
      const meta = (h.gatehouse ?? {}) as Record<string, unknown>;
      this.header = {
        width: h.width,
        height: h.height,
        startedAt: typeof meta.startedAt === 'string' ? meta.startedAt : typeof h.timestamp === 'number' ? new Date(h.timestamp * 1000).toISOString() : null,
        title: typeof h.title === 'string' ? h.title : null,
      };
      return;
    }
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      this.skipped++;
      return;
    }
    if (!Array.isArray(e) || typeof e[0] !== 'number' || typeof e[1] !== 'string' || typeof e[2] !== 'string') {
      this.skipped++;
      return;
    }
    const index = this.times.length;
    // Times never go backwards in a valid recording; clamp so binary searches stay correct.
    const t = Math.max(e[0], this.times[index - 1] ?? 0);
    this.times.push(t);
    this.codes.push(e[1]);
    this.data.push(e[2]);
    if (e[1] === 'm') this.markers.push(markerOf(index, t, e[2]));
  }

  addIndexLine(line: string): void {
    // Chain entries are most of the index and the player has no use for them: skip without parsing.
    if (line.startsWith('{"k":"c"')) return;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (e.k === 'end') this.sealed = true;
    if (e.k !== 'kf' || typeof e.seq !== 'number' || typeof e.t !== 'number' || typeof e.screen !== 'string') return;
    const kf: Keyframe = { seq: e.seq, t: e.t, end: Number(e.end) || 0, cols: Number(e.cols) || 80, rows: Number(e.rows) || 24, screen: e.screen };
    // Keep them sorted by seq (they are written in order; a stray one is inserted in place).
    const at = this.keyframes.length > 0 && this.keyframes[this.keyframes.length - 1]!.seq > kf.seq ? this.keyframes.findIndex((k) => k.seq > kf.seq) : this.keyframes.length;
    this.keyframes.splice(at, 0, kf);
  }

  /**
   * Playback times with idle gaps capped at `cap` seconds (Infinity: none). Extended as events
   * arrive, recomputed only when the cap changes.
   */
  timeline(cap: number): Float64Array {
    const n = this.times.length;
    let c = this.compressed;
    if (!c || c.cap !== cap || c.ct.length < n) {
      const ct = new Float64Array(Math.max(n, 1024, c && c.cap === cap ? c.ct.length * 2 : 0));
      let from = 0;
      if (c && c.cap === cap) {
        ct.set(c.ct.subarray(0, c.upTo));
        from = c.upTo;
      }
      c = { cap, upTo: from, ct };
      this.compressed = c;
    }
    for (let i = c.upTo; i < n; i++) {
      const gap = i === 0 ? this.times[0]! : this.times[i]! - this.times[i - 1]!;
      c.ct[i] = (i === 0 ? 0 : c.ct[i - 1]!) + Math.min(gap, cap);
    }
    c.upTo = n;
    return c.ct.subarray(0, n);
  }

  /** The last keyframe whose event is at or before event index `index` (keyframe seq = index + 1). */
  keyframeFor(index: number): Keyframe | null {
    let lo = 0;
    let hi = this.keyframes.length - 1;
    let best: Keyframe | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const kf = this.keyframes[mid]!;
      if (kf.seq - 1 <= index) {
        best = kf;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }
}

/** Index of the last element ≤ x in a sorted array, or -1. */
export function lastAtOrBefore(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}
