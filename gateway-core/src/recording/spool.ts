/**
 * The local spool: every recording is written here first (`<dataDir>/recordings/spool/`), one
 * file per session plus its index, and uploaded from here later. It is bounded.
 *
 * When it is full (used ≥ maxBytes):
 * - `whenFull: 'refuse'` (the default): new sessions are refused. An access broker must not open
 *   sessions it cannot record, so the safe failure is "no access", said clearly.
 *   `'unrecorded'` opens them without a recording (a deliberate policy choice, logged loudly).
 * - Sessions already running go on recording up to maxBytes + `overflowBytes`, so a session that
 *   crosses the line is not cut mid-command; past that their recorder stops (with a marker in the
 *   recording) and the broker closes them under 'refuse', or lets them run unrecorded.
 * A warning is logged and published to listeners (for the UI) when the spool passes 90 % and
 * when it is full.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logging/logger.js';

export interface SpoolOptions {
  dir: string;
  /** Default 1 GiB. */
  maxBytes?: number;
  /** How far running sessions may go past maxBytes before they stop recording (default 5 %, ≥ 16 MiB). */
  overflowBytes?: number;
  whenFull?: 'refuse' | 'unrecorded';
  logger: Logger;
}

export interface SpoolStatus {
  dir: string;
  usedBytes: number;
  maxBytes: number;
  /** nearly-full from 90 %, full from 100 %. */
  level: 'ok' | 'nearly-full' | 'full';
  whenFull: 'refuse' | 'unrecorded';
}

export interface SpoolWarning extends SpoolStatus {
  message: string;
}

/** What a writer needs of the spool: charge written bytes; false means stop recording. */
export interface SpoolAccount {
  charge(bytes: number): boolean;
}

export const DEFAULT_SPOOL_MAX_BYTES = 1024 ** 3;

export type RecordingKind = 'terminal' | 'sql' | 'agent';

/** File name endings per kind; the uploader finds recordings in the spool by these. */
export const RECORDING_EXTENSIONS: Readonly<Record<RecordingKind, string>> = { terminal: '.cast', sql: '.sql.jsonl', agent: '.agent.jsonl' };

export class RecordingSpool implements SpoolAccount {
  readonly dir: string;
  readonly maxBytes: number;
  readonly whenFull: 'refuse' | 'unrecorded';
  private readonly overflow: number;
  private used: number;
  private level: SpoolStatus['level'] = 'ok';
  private readonly listeners = new Set<(w: SpoolWarning) => void>();

  constructor(private readonly o: SpoolOptions) {
    this.dir = o.dir;
    this.maxBytes = o.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    this.whenFull = o.whenFull ?? 'refuse';
    this.overflow = o.overflowBytes ?? Math.max(16 * 1024 ** 2, Math.floor(this.maxBytes * 0.05));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // What earlier runs left (not yet uploaded) counts against the bound.
    this.used = directorySize(this.dir);
    this.update();
  }

  status(): SpoolStatus {
    return { dir: this.dir, usedBytes: this.used, maxBytes: this.maxBytes, level: this.level, whenFull: this.whenFull };
  }

  /** Listens for spool warnings (nearly full, full); returns the unsubscribe. */
  onWarning(listener: (w: SpoolWarning) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a new session may be recorded now. */
  get acceptsNew(): boolean {
    return this.used < this.maxBytes;
  }

  charge(bytes: number): boolean {
    this.used += bytes;
    this.update();
    return this.used < this.maxBytes + this.overflow;
  }

  /** Frees space (a recording was uploaded and removed). */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    this.update();
  }

  /** A fresh file name for a session's recording; sortable by start time. */
  pathFor(kind: RecordingKind, sessionId: string, startedAt: Date): string {
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const safeId = sessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
    return join(this.dir, `${stamp}-${kind}-${safeId}${RECORDING_EXTENSIONS[kind]}`);
  }

  describeFull(): string {
    return `The recording spool is full (${mib(this.used)} of ${mib(this.maxBytes)} MiB in ${this.dir}); recordings must be uploaded or removed before sessions can be recorded again`;
  }

  private update(): void {
    const level: SpoolStatus['level'] = this.used >= this.maxBytes ? 'full' : this.used >= this.maxBytes * 0.9 ? 'nearly-full' : 'ok';
    if (level === this.level) return;
    const worse = level === 'full' || (level === 'nearly-full' && this.level === 'ok');
    this.level = level;
    if (!worse) return;
    const message =
      level === 'full'
        ? `${this.describeFull()}. ${this.whenFull === 'refuse' ? 'New sessions are refused.' : 'New sessions run UNRECORDED.'}`
        : `The recording spool is over 90 % full (${mib(this.used)} of ${mib(this.maxBytes)} MiB)`;
    const warning: SpoolWarning = { ...this.status(), message };
    this.o.logger.warn({ spool: this.dir, usedBytes: this.used, maxBytes: this.maxBytes, level }, message);
    for (const l of this.listeners) l(warning);
  }
}

function mib(n: number): string {
  return (n / 1024 ** 2).toFixed(1);
}

function directorySize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      const s = statSync(join(dir, name));
      if (s.isFile()) total += s.size;
    } catch {
      // Removed meanwhile (an upload finished): nothing to count.
    }
  }
  return total;
}
