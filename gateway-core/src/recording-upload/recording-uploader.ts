/**
 * Moves recordings from the local spool to the policy server (issue 6, "Spooled and uploaded"),
 * resumably, and removes them from the spool only once the server has verified them. Recordings
 * still being written are streamed as they grow (live view, see live-upload.ts).
 *
 * Lifecycle of one recording (`<spool>/<name>.cast|.sql.jsonl|.agent.jsonl` + `<name>….index.jsonl`):
 * 1. **Finished?** Sealed (its index ends with the writer's `end` entry), or unsealed but already
 *    in the spool when the uploader started: this process never reopens a recording, so such a
 *    file is a crashed session's and will not grow again. Unsealed files created since are still
 *    being written: their whole lines are sent every `liveIntervalMs` (2 s) so that the server's
 *    copy trails the session (it stays 'uploading'), and they are completed once sealed.
 * 2. **Whose?** The header names the identity (`gatehouse.user`). It is uploaded with that
 *    identity's token (`accessTokenFor` where the provider offers it, else only while that person
 *    is signed in); otherwise it stays spooled and counts as `waitingForOwner`.
 * 3. **Upload:** PUT the session, ask the server how many bytes of each file it holds, send the
 *    rest in chunks (≤ 8 MiB), then complete with both SHA-256s. The server hashes what it stored,
 *    verifies the chain and the header, and answers 2xx only then.
 * 4. **Remove:** after a 2xx complete (or when the server already holds it complete with the same
 *    hashes) both files are deleted and the spool's bound is credited. Deleted, not moved to an
 *    `uploaded/` folder: the server now holds a verified copy, the spool is bounded, and a second
 *    copy of a (masked but still sensitive) recording on a laptop is exposure with no use.
 *
 * While the server is unreachable nothing is removed; passes are retried with exponential backoff
 * (1 s … 60 s, jittered). A recording the server refuses (chain broken, not this user's, …) is kept
 * and not retried until it changes or the app restarts; `status().rejected` says how many.
 *
 * The spool is looked at every `liveIntervalMs` while live upload is on (else `scanIntervalMs`).
 * A look is a readdir and two stats per recording: headers are read once, the seal is checked
 * only when an index has grown, and a live recording whose sizes did not change costs nothing more.
 */
import { unlink } from 'node:fs/promises';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import { ApiCallError, PolicyServerUnreachable } from '../approvals/policy-server-client.js';
import type { Logger } from '../logging/logger.js';
import { LiveUploads, sendPart, type SendOptions } from './live-upload.js';
import { MAX_UPLOAD_CHUNK_BYTES } from './sessions-api.js';
import type { SessionTransport } from './session-client.js';
import { sha256File } from './spool-files.js';
import { SpoolScanner, type Candidate, type Scan } from './spool-scan.js';

export interface RecordingUploaderOptions {
  /** The spool folder (`<recordings dir>/spool`). */
  spoolDir: string;
  transport: SessionTransport;
  logger: Logger;
  /** Credited with the bytes of each recording removed after upload. */
  spool?: { release(bytes: number): void };
  /** Bytes per PUT (default 4 MiB, at most 8 MiB). */
  chunkBytes?: number;
  /** How often the spool is looked at when all is well (default 5 s). */
  scanIntervalMs?: number;
  /**
   * How often a recording still being written is sent on, so that it can be watched live
   * (default 2 s; 0 turns live upload off: recordings then go up only once sealed).
   */
  liveIntervalMs?: number;
  /** Backoff while the server is unreachable (default 1 s doubling to 60 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface RecordingUploadStatus {
  /** idle: nothing to do or waiting for the next scan; offline: the server is unreachable. */
  state: 'idle' | 'uploading' | 'offline' | 'stopped';
  /** Finished recordings in the spool not uploaded yet (including those waiting or refused). */
  queued: number;
  /** Of those, recordings whose owner has no token now (someone else's, signed out). */
  waitingForOwner: number;
  /** Of those, recordings the server refused; kept in the spool. */
  rejected: number;
  /** Recordings still being written (streamed to the server while live upload is on). */
  live: number;
  /** Recordings uploaded (and removed) since start. */
  uploaded: number;
  /** The session id being uploaded now. */
  current: string | null;
  lastError: { message: string; at: string } | null;
  lastUploadAt: string | null;
  /** When the next attempt is due while offline. */
  nextAttemptAt: string | null;
}

export class RecordingUploader {
  private readonly chunkBytes: number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private readonly scanInterval: number;
  private readonly liveInterval: number;
  private readonly liveUploads: LiveUploads;
  private readonly scanner: SpoolScanner;
  private started = false;
  /** name → "size:mtime" of recordings the server refused; retried only when they change. */
  private readonly rejected = new Map<string, string>();
  private readonly listeners = new Set<(s: RecordingUploadStatus) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private stopped = false;
  private current: RecordingUploadStatus = { state: 'idle', queued: 0, waitingForOwner: 0, rejected: 0, live: 0, uploaded: 0, current: null, lastError: null, lastUploadAt: null, nextAttemptAt: null };

  constructor(private readonly o: RecordingUploaderOptions) {
    this.chunkBytes = Math.min(o.chunkBytes ?? 4 * 1024 * 1024, MAX_UPLOAD_CHUNK_BYTES);
    this.minBackoff = o.minBackoffMs ?? 1_000;
    this.maxBackoff = o.maxBackoffMs ?? 60_000;
    this.liveInterval = Math.max(0, o.liveIntervalMs ?? 2_000);
    this.scanInterval = this.liveInterval > 0 ? Math.min(o.scanIntervalMs ?? 5_000, this.liveInterval) : (o.scanIntervalMs ?? 5_000);
    this.liveUploads = new LiveUploads(this.sendOptions());
    this.scanner = new SpoolScanner(o.spoolDir, o.logger);
  }

  /**
   * Takes the snapshot of crash leftovers (call before any recording starts) and begins; resolves
   * once the snapshot is taken (recordings created after that are live, never leftovers).
   */
  start(): Promise<void> {
    if (this.started || this.stopped) return Promise.resolve();
    this.started = true;
    return this.scanner.snapshot().finally(() => this.kick());
  }

  status(): RecordingUploadStatus {
    return { ...this.current };
  }

  onChange(listener: (s: RecordingUploadStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Looks at the spool now (e.g. a session just ended, or the user signed in). */
  kick(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pass = this.runPass().finally(() => {
      this.pass = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.schedule();
    });
  }

  /** Waits for a pass in progress, runs one more full pass, and returns the status after it. */
  async drain(): Promise<RecordingUploadStatus> {
    await this.pass;
    this.kick();
    await this.pass;
    return this.status();
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pass?.catch(() => undefined);
    this.update({ state: 'stopped', current: null, nextAttemptAt: null });
  }

  private schedule(): void {
    const delay = this.failures === 0 ? this.scanInterval : this.backoff();
    this.update({ nextAttemptAt: this.failures === 0 ? null : new Date(Date.now() + delay).toISOString() });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delay);
    this.timer.unref?.();
  }

  private backoff(): number {
    const base = Math.min(this.maxBackoff, this.minBackoff * 2 ** Math.min(this.failures - 1, 20));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  private async runPass(): Promise<void> {
    let scan: Scan;
    try {
      const found = await this.scanner.scan(this.liveInterval > 0);
      scan = found.scan;
      this.liveUploads.retain(found.present);
    } catch (err) {
      this.fail(err);
      return;
    }
    const candidates = scan.finished;
    for (const c of candidates) {
      if (!c.unreadable) continue;
      if (!this.rejected.has(c.name)) this.o.logger.error({ recording: c.path }, 'a spooled recording has no readable header; it stays in the spool');
      this.rejected.set(c.name, stamp(c));
    }
    let waiting = 0;
    let rejected = 0;
    let paused = false;
    const pending = candidates.filter((c) => {
      const refused = this.rejected.get(c.name);
      if (refused === undefined) return true;
      if (refused === stamp(c)) {
        rejected++;
        return false;
      }
      this.rejected.delete(c.name);
      return true;
    });
    this.update({ queued: candidates.length, rejected, waitingForOwner: 0, live: scan.live.length });
    // Live recordings first: each push is small, and someone may be watching.
    for (const c of scan.live) {
      if (this.stopped) return;
      if (!this.liveUploads.hasNews(c)) continue;
      const token = await this.tokenFor(c.meta.user);
      if (!token) continue; // its owner is not signed in: it goes up once they are, or when sealed
      try {
        await this.liveUploads.push(c, token);
      } catch (err) {
        if (isTransient(err)) {
          paused = true;
          this.fail(err);
          break;
        }
        // Not taken live (the server holds something else under this id, …): it waits for its seal.
        this.liveUploads.refuse(c.name);
        this.o.logger.warn({ err, recording: c.path, sessionId: c.meta.sessionId }, 'the policy server refused a live recording; it is uploaded when it ends');
      }
    }
    for (const c of paused ? [] : pending) {
      if (this.stopped) return;
      const token = await this.tokenFor(c.meta.user);
      if (!token) {
        waiting++;
        this.update({ waitingForOwner: waiting });
        continue;
      }
      this.update({ state: 'uploading', current: c.meta.sessionId });
      try {
        await this.upload(c, token);
        this.update({ uploaded: this.current.uploaded + 1, queued: this.current.queued - 1, lastUploadAt: new Date().toISOString(), current: null });
      } catch (err) {
        if (isTransient(err)) {
          paused = true;
          this.fail(err);
          break;
        }
        // Refused for good (chain broken, someone else's id, …): keep it, do not hammer the server.
        this.rejected.set(c.name, stamp(c));
        rejected++;
        this.o.logger.error({ err, recording: c.path, sessionId: c.meta.sessionId }, 'the policy server refused a recording; it stays in the spool');
        this.update({ rejected, lastError: { message: describe(err), at: new Date().toISOString() }, current: null });
      }
    }
    if (!paused && !this.stopped) {
      this.failures = 0;
      this.update({ state: 'idle', current: null, nextAttemptAt: null });
    }
  }

  private async tokenFor(user: string): Promise<string | null> {
    try {
      return await this.o.transport.tokenFor(user);
    } catch {
      return null;
    }
  }

  private fail(err: unknown): void {
    this.failures++;
    const offline = err instanceof PolicyServerUnreachable;
    if (this.failures === 1 || !offline) this.o.logger.warn({ err: offline ? undefined : err, reason: describe(err) }, 'recording upload paused; will retry');
    this.update({ state: offline ? 'offline' : 'idle', current: null, lastError: { message: describe(err), at: new Date().toISOString() } });
  }

  private sendOptions(): SendOptions {
    return { transport: this.o.transport, chunkBytes: this.chunkBytes, wholeLines: false, stopped: () => this.stopped };
  }

  private async upload(c: Candidate, token: string): Promise<void> {
    const t = this.o.transport;
    const id = c.meta.sessionId;
    const [bodySha256, indexSha256] = await Promise.all([sha256File(c.path), sha256File(c.indexPath)]);
    const started = Date.parse(c.meta.startedAt);
    const startedAt = new Date(Number.isNaN(started) ? c.mtimeMs : started).toISOString();
    const session = await t.createSession(token, id, { kind: c.meta.kind, connectionId: c.meta.connectionId, startedAt });
    if (session.status === 'complete') {
      if (session.bodySha256 !== bodySha256 || session.indexSha256 !== indexSha256) {
        throw new GatehouseError('invalid_input', `the policy server already holds session ${id} with different contents`);
      }
      await this.remove(c);
      return;
    }
    let resets = 0;
    for (;;) {
      // After a live stream the server holds a prefix already: this resumes after it.
      const state = await t.uploadState(token, id);
      if (state.bodyBytes > c.bodyBytes || state.indexBytes > c.indexBytes) {
        // The server holds more than this file has: not a prefix of it. Start over once.
        if (resets++ > 0) throw new GatehouseError('invalid_input', `the policy server holds more of session ${id} than the spool has`);
        await t.resetUpload(token, id);
        continue;
      }
      const opts = this.sendOptions();
      await sendPart(opts, token, id, 'body', c.path, state.bodyBytes, c.bodyBytes);
      await sendPart(opts, token, id, 'index', c.indexPath, state.indexBytes, c.indexBytes);
      try {
        await t.complete(token, id, { bodySha256, indexSha256 });
        break;
      } catch (err) {
        // What the server stored is not what we hold (a corrupted chunk): send it all again, once.
        if (err instanceof ApiCallError && err.apiCode === 'hash_mismatch' && resets++ === 0) {
          await t.resetUpload(token, id);
          continue;
        }
        throw err;
      }
    }
    this.o.logger.info({ sessionId: id, bytes: c.bodyBytes }, 'recording uploaded and verified by the policy server');
    await this.remove(c);
  }

  private async remove(c: Candidate): Promise<void> {
    // Recording first: an index left alone by a crash here is cleaned up by the next scan.
    await unlink(c.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await unlink(c.indexPath).catch(() => undefined);
    this.scanner.forget(c.name);
    this.o.spool?.release(c.bodyBytes + c.indexBytes);
  }

  private update(patch: Partial<RecordingUploadStatus>): void {
    this.current = { ...this.current, ...patch };
    const snapshot = this.status();
    for (const l of this.listeners) l(snapshot);
  }
}

function stamp(c: Candidate): string {
  return `${c.bodyBytes}:${c.mtimeMs}`;
}

/** Worth retrying later: the server is unreachable, overloaded, or the token was not accepted. */
function isTransient(err: unknown): boolean {
  if (err instanceof PolicyServerUnreachable) return true;
  if (err instanceof ApiCallError) return err.status >= 500 || err.status === 401 || err.status === 429 || err.status === 408;
  if (err instanceof GatehouseError) return err.code === 'unavailable';
  // A local read error (file vanished, disk) is retried on the next pass.
  return true;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
