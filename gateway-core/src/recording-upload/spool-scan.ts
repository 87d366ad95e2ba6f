/**
 * The uploader's look at the spool: which recordings are finished (sealed, or left by a crash)
 * and which are still being written. It runs every couple of seconds while live upload is on, so
 * it is kept to a readdir and two stats per recording: a header is read once, and the seal (the
 * index's last line) is looked for only when the index has grown since the last look.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logging/logger.js';
import { indexPathFor, type SessionMeta } from '../recording/recording-format.js';
import type { LiveRecording } from './live-upload.js';
import { INDEX_SUFFIX, isRecordingFile, isSealed, readMeta } from './spool-files.js';

export interface Candidate {
  name: string;
  path: string;
  indexPath: string;
  bodyBytes: number;
  indexBytes: number;
  mtimeMs: number;
  meta: SessionMeta;
  /** Its header cannot be read: it cannot be uploaded (meta is a placeholder). */
  unreadable?: true;
}

/** What a look at the spool found, oldest first (file names start with the start time). */
export interface Scan {
  finished: Candidate[];
  /** Empty unless live recordings are asked for. */
  live: LiveRecording[];
}

/** What is remembered of a spooled file between looks. */
interface Seen {
  sealed: boolean;
  indexBytes: number;
  meta: SessionMeta | undefined;
}

export class SpoolScanner {
  /** Unsealed recordings present at start: crashed sessions', safe to upload as they are. */
  private readonly leftovers = new Set<string>();
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Notes the crash leftovers: call before any recording starts (this process never reopens one). */
  async snapshot(): Promise<void> {
    try {
      for (const name of await readdir(this.dir)) {
        if (!isRecordingFile(name)) continue;
        if (!(await isSealed(join(this.dir, name)))) this.leftovers.add(name);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ err, spool: this.dir }, 'cannot read the recording spool');
    }
  }

  /** A recording was uploaded and deleted. */
  forget(name: string): void {
    this.leftovers.delete(name);
    this.seen.delete(name);
  }

  async scan(withLive: boolean): Promise<{ scan: Scan; present: Set<string> }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { scan: { finished: [], live: [] }, present: new Set() };
      throw err;
    }
    const present = new Set(names);
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
    const out: Scan = { finished: [], live: [] };
    for (const name of names) {
      // An index whose recording is gone was left by a crash between the two deletes.
      if (name.endsWith(INDEX_SUFFIX) && !present.has(name.slice(0, -INDEX_SUFFIX.length))) {
        await unlink(join(this.dir, name)).catch(() => undefined);
        continue;
      }
      if (!isRecordingFile(name) || !present.has(`${name}${INDEX_SUFFIX}`)) continue;
      try {
        const found = await this.look(name);
        if (found?.live) {
          if (withLive) out.live.push(found.live);
        } else if (found?.finished) out.finished.push(found.finished);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return { scan: out, present };
  }

  private async look(name: string): Promise<{ live?: LiveRecording; finished?: Candidate } | undefined> {
    const path = join(this.dir, name);
    const indexPath = indexPathFor(path);
    // Index first: the recorder writes the recording before the index, so the recording then
    // holds at least every line the measured index names (live-upload.ts relies on it).
    const si = await stat(indexPath);
    const s = await stat(path);
    const leftover = this.leftovers.has(name);
    const seen = this.seen.get(name) ?? { sealed: false, indexBytes: -1, meta: undefined };
    if (!seen.sealed && !leftover && seen.indexBytes !== si.size) seen.sealed = await isSealed(path);
    seen.indexBytes = si.size;
    // Written once; a live recording's may not be flushed yet, and is asked for again next time.
    seen.meta ??= await readMeta(path);
    this.seen.set(name, seen);
    const { meta } = seen;
    if (!leftover && !seen.sealed) return meta ? { live: { name, path, indexPath, bodyBytes: s.size, indexBytes: si.size, meta } } : undefined;
    const base = { name, path, indexPath, bodyBytes: s.size, indexBytes: si.size, mtimeMs: s.mtimeMs };
    if (meta) return { finished: { ...base, meta } };
    return { finished: { ...base, unreadable: true, meta: { recordingVersion: 1, sessionId: name, user: '?', connectionId: '?', kind: 'terminal', startedAt: '' } } };
  }
}
