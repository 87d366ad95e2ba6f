/**
 * One tool call's recording, bound to the caller's masker. With recording off (tests, a spool
 * under the 'unrecorded' policy) every method does nothing, so the tools call it either way.
 */
import type { SqlRunResult } from '../contract/sql-schemas.js';
import type { Masker } from '../masking/index.js';
import type { AgentCallRecorder } from '../recording/agent-recorder.js';
import type { SqlDecision } from '../recording/sql-recorder.js';

export class CallRecording {
  private closed = false;

  constructor(
    private readonly recorder: AgentCallRecorder | undefined,
    private readonly masker: Masker,
  ) {}

  get path(): string | null {
    return this.recorder?.path ?? null;
  }

  input(args: Record<string, unknown>): void {
    this.recorder?.input(args, this.masker);
  }

  decision(d: SqlDecision): void {
    this.recorder?.decision(d, this.masker);
  }

  approval(requestId: string, status: string, detail?: string): void {
    this.recorder?.approval(requestId, status, detail);
  }

  sqlResult(result: SqlRunResult): void {
    this.recorder?.sqlResult(result);
  }

  /** Text already masked (the tool's answer, a command's masked output). */
  output(stream: 'stdout' | 'stderr' | 'result', text: string): void {
    if (text) this.recorder?.output(stream, text);
  }

  exit(code: number, signal?: string): void {
    this.recorder?.exit(code, signal);
  }

  error(message: string): void {
    this.recorder?.error(message, this.masker);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.recorder?.close();
  }
}
