/**
 * What the brokers see of recording: one object per gateway that opens a recorder for each new
 * session (or AI agent tool call) in the spool (`<dir>/spool/`), or refuses the session when it
 * cannot be recorded.
 */
import { join } from 'node:path';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { Logger } from '../logging/logger.js';
import { createAgentCallRecorder, type AgentCallRecorder, type AgentCallRecorderOptions } from './agent-recorder.js';
import { createSqlRecorder, type SqlRecorder, type SqlRecorderOptions } from './sql-recorder.js';
import { RecordingSpool, type RecordingKind, type SpoolStatus, type SpoolWarning } from './spool.js';
import { createTerminalRecorder, type TerminalRecorder, type TerminalRecorderOptions } from './terminal-recorder.js';

export interface RecordingsOptions {
  /** `<dataDir>/recordings`; recordings are spooled in its `spool/` folder. */
  dir: string;
  /** Spool bound (default 1 GiB). */
  maxBytes?: number;
  /** What a full spool means for new sessions (default 'refuse'; see spool.ts). */
  whenFull?: 'refuse' | 'unrecorded';
  /** Rows recorded per SQL statement, in SQL sessions and agent query results (default 100). */
  maxRowsPerStatement?: number;
  flushIntervalMs?: number;
}

type Common = 'path' | 'logger' | 'spool' | 'flushIntervalMs';

export class Recordings {
  readonly spool: RecordingSpool;

  constructor(
    private readonly o: RecordingsOptions,
    private readonly logger: Logger,
  ) {
    this.spool = new RecordingSpool({ dir: join(o.dir, 'spool'), logger, ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}), ...(o.whenFull ? { whenFull: o.whenFull } : {}) });
  }

  /** Whether sessions whose recording stops must be closed (the spool's 'refuse' policy). */
  get closesUnrecorded(): boolean {
    return this.spool.whenFull === 'refuse';
  }

  status(): SpoolStatus {
    return this.spool.status();
  }

  onWarning(listener: (w: SpoolWarning) => void): () => void {
    return this.spool.onWarning(listener);
  }

  /** A recorder for a new terminal session; undefined when it runs unrecorded; throws when refused. */
  terminal(options: Omit<TerminalRecorderOptions, Common>): TerminalRecorder | undefined {
    return this.open('terminal', options.sessionId, (path) => createTerminalRecorder({ ...options, ...this.common(path) }));
  }

  sql(options: Omit<SqlRecorderOptions, Common | 'maxRowsPerStatement'>): SqlRecorder | undefined {
    const rows = this.o.maxRowsPerStatement;
    return this.open('sql', options.sessionId, (path) => createSqlRecorder({ ...options, ...this.common(path), ...(rows !== undefined ? { maxRowsPerStatement: rows } : {}) }));
  }

  /** A recorder for one AI agent's tool call; undefined when it runs unrecorded; throws when refused. */
  agentCall(options: Omit<AgentCallRecorderOptions, Common | 'maxRowsPerStatement'>): AgentCallRecorder | undefined {
    const rows = this.o.maxRowsPerStatement;
    return this.open('agent', options.sessionId, (path) => createAgentCallRecorder({ ...options, ...this.common(path), ...(rows !== undefined ? { maxRowsPerStatement: rows } : {}) }));
  }

  private common(path: string): Pick<TerminalRecorderOptions, Common> {
    return { path, logger: this.logger, spool: this.spool, ...(this.o.flushIntervalMs !== undefined ? { flushIntervalMs: this.o.flushIntervalMs } : {}) };
  }

  private open<R>(kind: RecordingKind, sessionId: string, create: (path: string) => R): R | undefined {
    if (!this.spool.acceptsNew) return this.cannotRecord(kind, sessionId, this.spool.describeFull());
    try {
      return create(this.spool.pathFor(kind, sessionId, new Date()));
    } catch (err) {
      this.logger.error({ err, sessionId }, 'recording could not be started');
      return this.cannotRecord(kind, sessionId, `The session could not be recorded (${(err as NodeJS.ErrnoException).code ?? 'error'} in ${this.spool.dir})`);
    }
  }

  private cannotRecord(kind: string, sessionId: string, why: string): undefined {
    if (this.spool.whenFull === 'refuse') throw new GatehouseError('unavailable', `${why}; the session was not opened, because Gatehouse does not open sessions it cannot record`);
    this.logger.warn({ kind, sessionId, why }, 'session runs UNRECORDED (policy whenFull: unrecorded)');
    return undefined;
  }
}
