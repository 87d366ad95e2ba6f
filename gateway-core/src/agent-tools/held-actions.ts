/**
 * The agent's actions waiting on a human: what each became (ran once, or why not), and the
 * bounded waits of tool calls that chose to wait for the decision. The approvals service runs an
 * approved action as soon as its grant arrives, whether or not a call is waiting; a later
 * approval_status reads the stored result, so the result is never lost and never run twice.
 */
import type { CallRecording } from './call-recording.js';
import type { ToolOutcome } from './tool-output.js';

export type HeldState = 'pending' | 'running' | 'ran' | 'not-run';

export interface HeldEntry {
  requestId: string;
  kind: 'sql' | 'shell';
  connectionId: string;
  state: HeldState;
  /** The answer of its one run (state 'ran'). */
  result?: ToolOutcome;
  /** Why nothing ran (state 'not-run'): denied (reason), expired, cancelled, not runnable. */
  outcome?: string;
  /** The recording of the call that made the request; it stays open until the request ends. */
  recording: CallRecording;
}

export interface WaitContext {
  signal?: AbortSignal | undefined;
  progress?: ((p: { elapsedSeconds: number; totalSeconds: number; message: string }) => void) | undefined;
}

/** Settled entries kept for approval_status; the oldest go first. */
const KEEP_SETTLED = 500;

export class HeldActions {
  private readonly entries = new Map<string, HeldEntry>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly progressIntervalMs = 5_000) {}

  add(entry: HeldEntry): void {
    this.entries.set(entry.requestId, entry);
  }

  get(requestId: string): HeldEntry | undefined {
    return this.entries.get(requestId);
  }

  running(requestId: string): void {
    const e = this.entries.get(requestId);
    if (e?.state === 'pending') e.state = 'running';
  }

  /** The action ran once; `result` is what the agent reads. */
  ran(requestId: string, result: ToolOutcome): void {
    const e = this.entries.get(requestId);
    if (e) e.result = result;
  }

  /** The request ended ('ran', or why nothing ran); the call's recording is closed now. */
  settle(requestId: string, outcome: string): void {
    const e = this.entries.get(requestId);
    if (!e || e.state === 'ran' || e.state === 'not-run') return;
    if (outcome === 'ran' && e.result) e.state = 'ran';
    else {
      e.state = 'not-run';
      e.outcome = outcome === 'ran' ? 'it ran, but its result was lost' : outcome;
      e.recording.approval(requestId, 'not-run', e.outcome);
    }
    void e.recording.close();
    this.wake(requestId);
    this.trim();
  }

  /**
   * Waits until the request ends, `seconds` pass, or the caller goes away. Reports progress at
   * once (so the client knows why the call is slow) and then every interval.
   */
  wait(requestId: string, seconds: number, ctx: WaitContext): Promise<void> {
    const e = this.entries.get(requestId);
    if (!e || seconds <= 0 || e.state === 'ran' || e.state === 'not-run') return Promise.resolve();
    const started = Date.now();
    const report = (): void => {
      const elapsed = Math.round((Date.now() - started) / 1000);
      ctx.progress?.({ elapsedSeconds: elapsed, totalSeconds: seconds, message: `approval request ${requestId} is ${e.state === 'running' ? 'approved; running' : 'waiting for a human approver'} (${elapsed} of ${seconds} s)` });
    };
    return new Promise<void>((resolve) => {
      const set = this.waiters.get(requestId) ?? new Set();
      this.waiters.set(requestId, set);
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(tick);
        set.delete(done);
        ctx.signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, seconds * 1000);
      const tick = setInterval(report, this.progressIntervalMs);
      set.add(done);
      ctx.signal?.addEventListener('abort', done, { once: true });
      report();
    });
  }

  /** The server is stopping: what still waits is recorded as such and its recording sealed. */
  async closeAll(): Promise<void> {
    const open = [...this.entries.values()].filter((e) => e.state === 'pending' || e.state === 'running');
    for (const e of open) e.recording.approval(e.requestId, e.state, 'the Gatehouse MCP server stopped before the request ended; it will not run from this server');
    await Promise.allSettled(open.map((e) => e.recording.close()));
    for (const set of this.waiters.values()) for (const w of [...set]) w();
  }

  private wake(requestId: string): void {
    for (const w of [...(this.waiters.get(requestId) ?? [])]) w();
    this.waiters.delete(requestId);
  }

  private trim(): void {
    const settled = [...this.entries.values()].filter((e) => e.state === 'ran' || e.state === 'not-run');
    for (const e of settled.slice(0, Math.max(0, settled.length - KEEP_SETTLED))) this.entries.delete(e.requestId);
  }
}
