/**
 * What one client session puts in its SQL recording, as the editor does: each statement and the
 * guard's decision before anything runs, then (through ResultCapture) its columns, masked rows
 * and outcome. Prepared statements are recorded once, at Parse; each Execute of a portal bound
 * from one captures its own results under that statement.
 */
import type { Masker } from '../masking/masker.js';
import type { RunRecording, SqlRecorder } from '../recording/sql-recorder.js';
import { RelayFatal } from './response-relay.js';
import { ResultCapture } from './result-capture.js';
import type { GuardVerdict } from './statement-guard.js';

export class SessionRecording {
  private recorder: SqlRecorder | undefined;
  private readonly statementRuns = new Map<string, RunRecording | undefined>();
  private readonly portalRuns = new Map<string, RunRecording | undefined>();
  private sealing: Promise<void> | undefined;

  constructor(private readonly masker: () => Masker) {}

  /** Opens the recording once the client is authenticated; a session that cannot be recorded is not opened. */
  open(openRecorder: () => SqlRecorder | undefined): void {
    try {
      this.recorder = openRecorder();
    } catch {
      throw new RelayFatal('this session cannot be recorded (the recording spool is full or not writable), so it was not opened', '53100');
    }
  }

  /** The statement and the decision; a run to capture results into when it is allowed. */
  statement(text: string, verdict: GuardVerdict): RunRecording | undefined {
    if (!this.recorder) return undefined;
    const rec = this.recorder.begin(text, this.masker(), 'editor');
    rec.decision({ action: verdict.ok ? 'allow' : verdict.action === 'approve' ? 'approve' : 'deny', class: verdict.class, rule: verdict.rule, reason: verdict.reason });
    return rec;
  }

  /** statement() for a simple Query or a COPY, with a capture when it runs. */
  query(text: string, verdict: GuardVerdict): ResultCapture | undefined {
    const rec = this.statement(text, verdict);
    return rec && verdict.ok ? new ResultCapture(rec) : undefined;
  }

  parse(name: string, text: string, verdict: GuardVerdict): void {
    this.statementRuns.set(name, this.statement(text, verdict));
  }

  bind(portal: string, statement: string): void {
    this.portalRuns.set(portal, this.statementRuns.get(statement));
  }

  execute(portal: string): ResultCapture | undefined {
    const rec = this.portalRuns.get(portal);
    return rec ? new ResultCapture(rec) : undefined;
  }

  closeTarget(kind: 'S' | 'P', name: string): void {
    (kind === 'S' ? this.statementRuns : this.portalRuns).delete(name);
  }

  /** Seals the recording; settles when it is on disk (never rejects). */
  seal(): Promise<void> {
    this.sealing ??= this.recorder ? this.recorder.close().catch(() => undefined) : Promise.resolve();
    return this.sealing;
  }
}
