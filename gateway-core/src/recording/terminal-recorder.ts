/**
 * Records one terminal session as asciicast v2 (recording-format.ts), with its hash-chained
 * index and seek keyframes. The terminal broker calls it with what it already shows the user:
 * `output()` gets the masked strings emitted as `terminal.output`, byte for byte, so a replay
 * shows exactly the screen the user saw and nothing unmasked ever reaches the file.
 *
 * Everything else that could carry a value is masked here: input (with a streaming masker, since
 * a card number typed key by key is only recognisable as a whole) and the text of markers.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logging/logger.js';
import { createStreamMasker, type Masker, type StreamMasker } from '../masking/index.js';
import { KEYFRAME_MAX_OUTPUT, KEYFRAME_SERIALIZED_SCROLLBACK, KeyframeModel } from './keyframes.js';
import { RECORDING_FORMAT_VERSION, type AsciicastHeader, type TerminalMarker } from './recording-format.js';
import { RecordingWriter, type StopReason } from './recording-writer.js';
import type { SpoolAccount } from './spool.js';

export interface TerminalRecorderOptions {
  /** The recording file (its index goes beside it); created, never overwritten. */
  path: string;
  sessionId: string;
  /** The identity id the session acts for. */
  user: string;
  connectionId: string;
  cols: number;
  rows: number;
  term?: string;
  title?: string;
  /** Record keystrokes (`i` events), masked. Off unless the role's policy says so. */
  recordInput: boolean;
  /** The session's masker: for input and marker text (output arrives masked already). */
  masker: Masker;
  logger: Logger;
  spool?: SpoolAccount;
  /** Seconds of recording time between keyframes (default 5). 0 disables keyframes. */
  keyframeIntervalSec?: number;
  /** Scrollback lines serialised into each keyframe (default KEYFRAME_SERIALIZED_SCROLLBACK, at most KEYFRAME_SCROLLBACK). */
  keyframeScrollback?: number;
  /** Output (characters) after which a keyframe is taken even within the interval (default KEYFRAME_MAX_OUTPUT). 0: by time only. */
  keyframeMaxOutput?: number;
  flushIntervalMs?: number;
  /** Recording stopped before close (spool full, disk error); the broker decides what that means. */
  onStopped?: (reason: StopReason) => void;
  /** Clock for tests; default performance.now() in ms. */
  now?: () => number;
}

export interface TerminalRecorder {
  readonly path: string;
  readonly indexPath: string;
  /** False once recording stopped (spool full, write error) or closed. */
  readonly isRecording: boolean;
  output(data: string): void;
  /**
   * Output the keyframe model has not parsed yet, in characters. A burst faster than the model
   * parses (a large `cat`) must be paced to it: past its limit the model gives up, and the rest
   * of the recording has no keyframes to seek from.
   */
  readonly outputBacklog: number;
  /** Resolves once outputBacklog is at most `below` (at once when there is no model any more). */
  outputDrained(below: number): Promise<void>;
  resize(cols: number, rows: number): void;
  /** A marker: the label is the marker's JSON (short), its text fields masked. */
  marker(marker: TerminalMarker): void;
  input(data: string): void;
  /** Flushes, fsyncs and seals the recording. */
  close(): Promise<void>;
}

/** asciinema players expect a plain label; ours is compact JSON, capped. */
const MAX_MARKER_FIELD = 500;
/** How long close() waits for keyframe snapshots still being parsed (bulk output can lag). */
const KEYFRAME_CLOSE_WAIT_MS = 2000;

export function createTerminalRecorder(o: TerminalRecorderOptions): TerminalRecorder {
  return new TerminalRecorderImpl(o);
}

class TerminalRecorderImpl implements TerminalRecorder {
  private readonly writer: RecordingWriter;
  private readonly start: number;
  private readonly now: () => number;
  private readonly keyframes: KeyframeModel | undefined;
  private readonly interval: number;
  private lastKeyframeT = 0;
  /** Characters of output since the last keyframe. */
  private outputSinceKeyframe = 0;
  private readonly inputMasker: StreamMasker | undefined;
  /** Snapshots still being parsed; close() lets them finish (briefly) so the last keyframes are kept. */
  private readonly pendingKeyframes = new Set<Promise<void>>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly o: TerminalRecorderOptions) {
    this.now = o.now ?? (() => performance.now());
    this.start = this.now();
    this.writer = new RecordingWriter({
      path: o.path,
      logger: o.logger,
      ...(o.spool ? { spool: o.spool } : {}),
      ...(o.flushIntervalMs !== undefined ? { flushIntervalMs: o.flushIntervalMs } : {}),
      ...(o.onStopped ? { onStopped: o.onStopped } : {}),
      stopLine: (reason) => JSON.stringify([this.time(), 'm', JSON.stringify({ type: 'recording', action: 'stopped', reason })]),
    });
    const startedAt = new Date();
    const header: AsciicastHeader = {
      version: 2,
      width: o.cols,
      height: o.rows,
      timestamp: Math.floor(startedAt.getTime() / 1000),
      env: { TERM: o.term ?? 'xterm-256color' },
      title: o.title ?? `${o.connectionId} (${o.user})`,
      gatehouse: { recordingVersion: RECORDING_FORMAT_VERSION, sessionId: o.sessionId, user: o.user, connectionId: o.connectionId, kind: 'terminal', startedAt: startedAt.toISOString() },
    };
    this.writer.append(JSON.stringify(header));
    this.interval = o.keyframeIntervalSec ?? 5;
    this.keyframes = this.interval > 0 ? new KeyframeModel(o.cols, o.rows) : undefined;
    if (o.recordInput) {
      this.inputMasker = createStreamMasker(o.masker, {
        onData: (s) => this.event('i', s),
        // Fail closed: input that cannot be masked is not recorded; the gap is marked.
        onError: () => this.marker({ type: 'recording', action: 'input-withheld', reason: 'masking failed' }),
      });
    }
  }

  get path(): string {
    return this.writer.path;
  }

  get indexPath(): string {
    return this.writer.indexPath;
  }

  get isRecording(): boolean {
    return !this.closed && this.writer.isRecording;
  }

  get outputBacklog(): number {
    return this.keyframes?.active ? this.keyframes.backlogChars : 0;
  }

  outputDrained(below: number): Promise<void> {
    return this.keyframes ? this.keyframes.whenBacklogBelow(below) : Promise.resolve();
  }

  output(data: string): void {
    if (!data || this.closed) return;
    const seq = this.event('o', data);
    if (seq === undefined || !this.keyframes) return;
    this.keyframes.write(data);
    this.outputSinceKeyframe += data.length;
    this.maybeKeyframe(seq);
  }

  resize(cols: number, rows: number): void {
    if (this.closed) return;
    this.event('r', `${cols}x${rows}`);
    this.keyframes?.resize(cols, rows);
  }

  marker(marker: TerminalMarker): void {
    if (this.closed) return;
    const masked: TerminalMarker = { ...marker };
    for (const key of ['reason', 'command', 'text'] as const) {
      const v = marker[key];
      if (v !== undefined) masked[key] = this.mask(v).slice(0, MAX_MARKER_FIELD);
    }
    this.event('m', JSON.stringify(masked));
  }

  input(data: string): void {
    if (!this.inputMasker || this.closed || !data) return;
    const out = this.inputMasker.write(data);
    if (out) this.event('i', out);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.inputMasker) {
      const rest = this.inputMasker.end();
      if (rest) this.event('i', rest);
    }
    this.closed = true;
    this.closing = (async () => {
      if (this.pendingKeyframes.size > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, KEYFRAME_CLOSE_WAIT_MS)));
        await Promise.race([Promise.allSettled([...this.pendingKeyframes]), limit]);
        clearTimeout(timer);
      }
      this.keyframes?.dispose();
      await this.writer.close();
    })();
    return this.closing;
  }

  private event(code: 'o' | 'i' | 'r' | 'm', data: string): number | undefined {
    return this.writer.append(JSON.stringify([this.time(), code, data]));
  }

  /** Seconds since the start, to the microsecond (asciicast times are float seconds). */
  private time(): number {
    return Math.round((this.now() - this.start) * 1000) / 1e6;
  }

  private maybeKeyframe(seq: number): void {
    const t = this.time();
    if (!this.keyframes?.active || this.outputSinceKeyframe === 0) return;
    // By time, and by volume: a burst (a large `cat`) is replayed from a keyframe at most
    // keyframeMaxOutput back, so a seek into it stays quick.
    const maxOutput = this.o.keyframeMaxOutput ?? KEYFRAME_MAX_OUTPUT;
    if (t - this.lastKeyframeT < this.interval && !(maxOutput > 0 && this.outputSinceKeyframe >= maxOutput)) return;
    this.lastKeyframeT = t;
    this.outputSinceKeyframe = 0;
    // The recording's byte length right after event `seq`: where a seeking player resumes reading.
    const end = this.writer.bytes;
    const pending: Promise<void> = this.keyframes.snapshot(this.o.keyframeScrollback ?? KEYFRAME_SERIALIZED_SCROLLBACK).then((s) => {
      this.pendingKeyframes.delete(pending);
      // The writer ignores keyframes once sealed.
      if (s) this.writer.keyframe({ seq, t, end, ...s });
    });
    this.pendingKeyframes.add(pending);
  }

  private mask(text: string): string {
    try {
      return this.o.masker.maskText(text).text;
    } catch {
      return '[withheld: masking failed]';
    }
  }
}
