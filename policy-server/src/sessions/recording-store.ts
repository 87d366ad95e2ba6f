/**
 * Where the bodies of uploaded recordings live: files in the configured recordings directory,
 * never in the database. A session's files are named by the SHA-256 of its id (so no id, however
 * odd, can name a path), two levels deep to keep directories small:
 *   <dir>/<h[0..2]>/<h>.rec               the recording (asciicast v2 or SQL JSONL)
 *   <dir>/<h[0..2]>/<h>.rec.index.jsonl   its index (the name gateway-core's verifyRecording expects)
 *
 * Appends are exact: a chunk is written only when its offset is the file's current length, under a
 * per-session lock (one server instance per database, as for the SSE hub), and fsynced before the
 * answer, so an acknowledged offset is durable. A crash mid-chunk leaves a shorter prefix of the
 * same bytes, which the client simply resumes after.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { UploadPart } from '@gatehouse/gateway-core';
import { indexPathFor } from '@gatehouse/gateway-core';

export type AppendResult = { ok: true; size: number } | { ok: false; expected: number };

export interface StoredPaths {
  body: string;
  index: string;
}

export class RecordingStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** The storage key of a session id (stored in the row, so the layout may change later). */
  static keyFor(sessionId: string): string {
    return createHash('sha256').update(sessionId, 'utf8').digest('hex');
  }

  paths(key: string): StoredPaths {
    const body = join(this.dir, key.slice(0, 2), `${key}.rec`);
    return { body, index: indexPathFor(body) };
  }

  pathOf(key: string, part: UploadPart): string {
    const p = this.paths(key);
    return part === 'body' ? p.body : p.index;
  }

  async size(key: string, part: UploadPart): Promise<number> {
    try {
      return (await stat(this.pathOf(key, part))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  }

  /**
   * Appends `bytes` if `offset` is the current length; otherwise returns the length the client
   * must resume at and writes nothing.
   */
  append(key: string, part: UploadPart, offset: number, bytes: Buffer): Promise<AppendResult> {
    return this.locked(key, () => this.appendUnlocked(key, part, offset, bytes));
  }

  /** append() for a caller that holds the session's lock already. */
  async appendUnlocked(key: string, part: UploadPart, offset: number, bytes: Buffer): Promise<AppendResult> {
    const current = await this.size(key, part);
    if (current !== offset) return { ok: false as const, expected: current };
    if (bytes.length === 0) return { ok: true as const, size: current };
    const path = this.pathOf(key, part);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fh = await open(path, 'a', 0o600);
    try {
      let written = 0;
      while (written < bytes.length) written += (await fh.write(bytes, written, bytes.length - written)).bytesWritten;
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { ok: true as const, size: current + bytes.length };
  }

  /** Empties both files of a session (an upload started over); the caller holds the lock. */
  async truncate(key: string): Promise<void> {
    const p = this.paths(key);
    await Promise.all([rm(p.body, { force: true }), rm(p.index, { force: true })]);
  }

  /** SHA-256 of a stored file, streamed. */
  async sha256(key: string, part: UploadPart): Promise<string> {
    const hash = createHash('sha256');
    const path = this.pathOf(key, part);
    if ((await this.size(key, part)) === 0) return hash.digest('hex');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** Runs `fn` while no other append or completion of this session runs. */
  locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return run;
  }

  /** For a temporary store (in-memory database): removes everything. */
  async destroy(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
