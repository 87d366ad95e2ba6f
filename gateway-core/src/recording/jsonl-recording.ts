/**
 * What the JSONL recorders (SQL sessions, agent tool calls) share: a RecordingWriter with its
 * header as line 0, `{t, type, …}` events timed from the recorder's start, a `marker` line when
 * recording stops early, and close. Each recorder adds only its own events on top.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logging/logger.js';
import { RecordingWriter, type StopReason } from './recording-writer.js';
import type { SpoolAccount } from './spool.js';

export interface JsonlRecordingOptions {
  path: string;
  logger: Logger;
  spool?: SpoolAccount;
  flushIntervalMs?: number;
  onStopped?: (reason: StopReason) => void;
  /** Clock for tests; default performance.now() in ms. */
  now?: () => number;
}

export class JsonlRecording<E extends { type: string }> {
  private readonly writer: RecordingWriter;
  private readonly now: () => number;
  private readonly start: number;
  private closed = false;

  /** Opens the files (throws if it cannot) and writes the header as line 0. */
  constructor(o: JsonlRecordingOptions, header: object) {
    this.now = o.now ?? (() => performance.now());
    this.start = this.now();
    this.writer = new RecordingWriter({
      path: o.path,
      logger: o.logger,
      ...(o.spool ? { spool: o.spool } : {}),
      ...(o.flushIntervalMs !== undefined ? { flushIntervalMs: o.flushIntervalMs } : {}),
      ...(o.onStopped ? { onStopped: o.onStopped } : {}),
      // Every JSONL format has this marker event, so a stopped recording says why at its end.
      stopLine: (reason) => JSON.stringify({ t: this.time(), type: 'marker', label: `recording stopped: ${reason}` }),
    });
    this.writer.append(JSON.stringify(header));
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

  /** Appends one event, stamped with seconds since the start (µs precision); ignored once closed. */
  event(e: E extends unknown ? Omit<E, 't'> : never): void {
    if (this.closed) return;
    this.writer.append(JSON.stringify({ t: this.time(), ...e }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close();
  }

  private time(): number {
    return Math.round((this.now() - this.start) * 1000) / 1e6;
  }
}
