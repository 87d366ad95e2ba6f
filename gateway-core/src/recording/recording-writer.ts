/**
 * Append-only writer for one recording and its index (invariant 5).
 *
 * - Each line is chained when it is appended (so its sequence number and byte offset are known at
 *   once, for keyframes), but written in batches: every `flushIntervalMs` (250 ms), when a batch
 *   passes `flushBytes`, and at close. A `kill -9` therefore loses at most the batch in memory.
 * - A batch is written to the recording first, then its chain entries to the index. After a
 *   crash between the two, the recording is ahead of the index, never behind: verify treats
 *   complete lines beyond the index as unverified (excluded), see verify.ts.
 * - Each batch is one write(2) per file, so a crash mid-batch leaves at most a truncated last line.
 * - Close flushes, fsyncs both files, then appends the `end` entry (and fsyncs it), so an `end`
 *   entry always describes data that is already durable.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, write } from 'node:fs';
import type { Logger } from '../logging/logger.js';
import { GENESIS_HASH, indexPathFor, type ChainEntry, type EndEntry, type KeyframeEntry } from './recording-format.js';
import type { SpoolAccount } from './spool.js';

export type StopReason = EndEntry['reason'];

export interface RecordingWriterOptions {
  path: string;
  logger: Logger;
  spool?: SpoolAccount;
  flushIntervalMs?: number;
  flushBytes?: number;
  /** Told once when recording stops before close (spool full, write error): the session must react. */
  onStopped?: (reason: StopReason) => void;
  /** The last line to append when recording stops early (a marker saying so), if any. */
  stopLine?: (reason: StopReason) => string | undefined;
}

const NEWLINE = Buffer.from('\n');

export class RecordingWriter {
  readonly path: string;
  readonly indexPath: string;
  private readonly fd: number;
  private readonly indexFd: number;
  private recBatch: Buffer[] = [];
  private indexBatch: string[] = [];
  private batchBytes = 0;
  private seq = 0;
  private offset = 0;
  private head = GENESIS_HASH;
  private batchNo = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;
  private stopped: StopReason | undefined;
  private closing: Promise<void> | undefined;

  /** Opens (creates, never overwrites) the recording and its index; throws if it cannot. */
  constructor(private readonly o: RecordingWriterOptions) {
    this.path = o.path;
    this.indexPath = indexPathFor(o.path);
    // 'wx': a recording is never reopened or overwritten; 0600: recordings are sensitive even masked.
    this.fd = openSync(this.path, 'wx', 0o600);
    try {
      this.indexFd = openSync(this.indexPath, 'wx', 0o600);
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
    this.timer = setInterval(() => void this.flush(), o.flushIntervalMs ?? 250);
    this.timer.unref?.();
  }

  /** Lines appended so far (the next line's sequence number). */
  get events(): number {
    return this.seq;
  }

  /** Bytes of the recording once everything appended so far is written. */
  get bytes(): number {
    return this.offset;
  }

  get isRecording(): boolean {
    return this.stopped === undefined;
  }

  /** Appends one line (no newline in it: it is one JSON value); returns its sequence number. */
  append(line: string): number | undefined {
    if (this.stopped || this.closing) return undefined;
    const bytes = Buffer.from(line, 'utf8');
    const d = createHash('sha256').update(bytes).digest('hex');
    this.head = createHash('sha256').update(this.head, 'latin1').update(bytes).digest('hex');
    const entry: ChainEntry = { k: 'c', seq: this.seq, off: this.offset, len: bytes.length, d, h: this.head, b: this.batchNo };
    this.recBatch.push(bytes, NEWLINE);
    this.indexBatch.push(JSON.stringify(entry));
    this.offset += bytes.length + 1;
    this.batchBytes += bytes.length + 1;
    if (this.batchBytes >= (this.o.flushBytes ?? 1 << 20)) void this.flush();
    return this.seq++;
  }

  /** Adds a keyframe to the index; it is written with the batch of the line it follows. */
  keyframe(entry: Omit<KeyframeEntry, 'k'>): void {
    if (!this.stopped && !this.closing) this.indexBatch.push(JSON.stringify({ k: 'kf', ...entry }));
  }

  /** Writes what is buffered: recording first, then the index. Flushes never overlap. */
  flush(): Promise<void> {
    if (this.recBatch.length === 0 && this.indexBatch.length === 0) return this.writing;
    const rec = Buffer.concat(this.recBatch);
    const index = Buffer.from(this.indexBatch.map((l) => `${l}\n`).join(''), 'utf8');
    this.recBatch = [];
    this.indexBatch = [];
    this.batchBytes = 0;
    this.batchNo++;
    this.writing = this.writing.then(async () => {
      if (this.stopped === 'write-failed') return;
      try {
        await writeAll(this.fd, rec);
        await writeAll(this.indexFd, index);
      } catch (err) {
        this.o.logger.error({ err, recording: this.path }, 'recording write failed');
        this.stop('write-failed');
        return;
      }
      if (this.o.spool && !this.o.spool.charge(rec.length + index.length)) this.stop('spool-full');
    });
    return this.writing;
  }

  /** Flushes, fsyncs and seals the recording with its `end` entry. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await this.flush();
      await this.writing;
      try {
        fsyncSync(this.fd);
        fsyncSync(this.indexFd);
        if (this.stopped !== 'write-failed') {
          const end: EndEntry = { k: 'end', events: this.seq, bytes: this.offset, head: this.head, reason: this.stopped ?? 'closed' };
          await writeAll(this.indexFd, Buffer.from(`${JSON.stringify(end)}\n`, 'utf8'));
          fsyncSync(this.indexFd);
        }
      } catch (err) {
        this.o.logger.error({ err, recording: this.path }, 'recording close failed');
      } finally {
        closeSync(this.fd);
        closeSync(this.indexFd);
      }
    })();
    return this.closing;
  }

  /** Recording cannot go on: say so in the recording (if possible), stop appending, tell the session. */
  private stop(reason: StopReason): void {
    if (this.stopped) return;
    const last = reason === 'write-failed' ? undefined : this.o.stopLine?.(reason);
    if (last !== undefined) this.append(last);
    this.stopped = reason;
    this.o.logger.warn({ recording: this.path, reason }, 'recording stopped');
    this.o.onStopped?.(reason);
    // The stop line is flushed by the next flush or by close().
  }
}

function writeAll(fd: number, buf: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (from: number): void => {
      if (from >= buf.length) return resolve();
      write(fd, buf, from, buf.length - from, null, (err, n) => (err ? reject(err) : step(from + n)));
    };
    step(0);
  });
}
