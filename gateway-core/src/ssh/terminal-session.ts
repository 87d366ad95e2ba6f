// One brokered shell: an ssh2 pty channel, the masked output path, the screen model and the line
// guard. Input is processed strictly in order; an Enter is held until its line is judged.
import type { Client, ClientChannel } from 'ssh2';
import type { BridgeEventPayload } from '../contract/bridge-contract.js';
import type { GuardNotice } from '../contract/terminal-schemas.js';
import type { Logger } from '../logging/logger.js';
import type { TerminalRecorder } from '../recording/terminal-recorder.js';
import { createStreamMasker, type Masker, type StreamMasker } from '../masking/index.js';
import { needsMoreInput, splitPastedLines, type ShellDecision, type ShellPolicy } from '../policy/shell/index.js';
import { isLineAbort, LineEditor, tokenizeInput, type Key } from './input-keys.js';
import { judgeEnter, judgeText, strictest, unparseable } from './line-guard.js';
import { RecordingPace } from './recording-pace.js';
import { ScreenModel, type ScreenReading } from './screen-model.js';
import { scrub, SshConnectError, type SshConnection } from './ssh-connect.js';

type TerminalEvent = 'terminal.output' | 'terminal.state' | 'terminal.guard';
export type TerminalEmit = <E extends TerminalEvent>(event: E, payload: BridgeEventPayload<E>) => void;

export interface TerminalSessionOptions {
  id: string;
  connectionName: string;
  cols: number;
  rows: number;
  term: string;
  masker: Masker;
  /** The shell rules in force now (re-read for every line, so a policy update applies at once). */
  shellPolicy: () => ShellPolicy;
  connect: () => Promise<SshConnection>;
  emit: TerminalEmit;
  logger: Logger;
  onClosed: () => void;
  /** Enter waits for the echo until this much output silence (default 50 ms) ... */
  echoQuietMs?: number;
  /** ... or at most this long (default 1000 ms). */
  echoMaxMs?: number;
  /** Records what the user sees (the masked output), resizes, guard decisions and notices. */
  recorder?: TerminalRecorder;
}

/** A line held for approval; release() types it again and presses Enter once a grant allows it. */
export interface HeldLine {
  id: string;
  line: string;
  decision: ShellDecision;
}

const KILL_LINE = '\x05\x15'; // Ctrl-E Ctrl-U: to the end, then kill the whole line (readline and a canonical tty)
const ABORT_COMMAND = '\x03'; // Ctrl-C: drop a multi-line command bash is still reading

export class TerminalSession {
  private client: Client | undefined;
  private channel: ClientChannel | undefined;
  private readonly screen: ScreenModel;
  private readonly output: StreamMasker;
  private readonly editor = new LineEditor();
  private continuation: string[] = [];
  /** No key of the current line has been sent yet (the next one marks where input begins). */
  private fresh = true;
  private queue: Promise<void> = Promise.resolve();
  private lastActivity = 0;
  private lastSend = 0;
  /** When a send went out that no output has answered yet (for the echo latency samples). */
  private unansweredSince: number | undefined;
  /** Recent send-to-first-output delays: how long this link takes to echo a key. */
  private readonly echoSamples: number[] = [];
  private exitCode: number | undefined;
  private closed = false;
  private readonly pace: RecordingPace | undefined;
  private blocked = false;
  private secrets: readonly string[] = [];
  readonly held = new Map<string, HeldLine>();
  /** Settles when the recording is sealed (after the session finished). */
  recordingClosed: Promise<void> | undefined;
  private heldSeq = 0;

  constructor(private readonly o: TerminalSessionOptions) {
    this.screen = new ScreenModel(o.cols, o.rows);
    this.pace = o.recorder ? new RecordingPace(o.recorder, () => this.closed) : undefined;
    this.output = createStreamMasker(o.masker, {
      onData: (s) => this.emitOutput(s),
      // Fail closed: held text that cannot be masked is dropped, and the user is told.
      onError: () => this.emitOutput('\r\n[gatehouse: output withheld: masking failed]\r\n'),
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  async start(): Promise<void> {
    this.state('connecting');
    let conn: SshConnection;
    try {
      conn = await this.o.connect();
    } catch (err) {
      const message = err instanceof SshConnectError || (err instanceof Error && err.name === 'GatehouseError') ? err.message : 'The connection failed; see the Gatehouse log for details.';
      if (!(err instanceof SshConnectError)) this.o.logger.error({ err, terminalId: this.o.id }, 'ssh connect failed');
      return this.finish(message);
    }
    this.client = conn.client;
    this.secrets = conn.secretValues;
    if (this.closed) return void conn.client.end();
    conn.client.on('close', () => this.finish(`The connection to ${this.o.connectionName} was lost.`));
    conn.client.shell({ term: this.o.term, cols: this.o.cols, rows: this.o.rows }, (err, channel) => {
      if (err) return this.finish(`The server refused a shell: ${scrub(err.message, this.secrets)}`);
      this.channel = channel;
      channel.on('data', (d: Buffer) => this.onOutput(d));
      channel.stderr.on('data', (d: Buffer) => this.onOutput(d));
      channel.on('exit', (code: number | null) => {
        if (typeof code === 'number') this.exitCode = code;
      });
      channel.on('close', () => this.finish(this.exitCode === undefined ? 'The shell ended.' : `The shell exited with status ${this.exitCode}.`));
      this.state('connected');
    });
  }

  /** Queues input; keystrokes go out at once, an Enter only after its line was judged. */
  input(data: string): void {
    if (this.closed) return;
    // Recorded as typed (the recorder masks it, and keeps it only when policy asks for input).
    this.o.recorder?.input(data);
    this.queue = this.queue.then(() => this.process(data)).catch((err: unknown) => {
      this.o.logger.error({ err, terminalId: this.o.id }, 'terminal input failed');
    });
  }

  resize(cols: number, rows: number): void {
    if (!this.closed) this.o.recorder?.resize(cols, rows);
    this.screen.resize(cols, rows);
    this.channel?.setWindow(rows, cols, 0, 0);
  }

  close(): void {
    this.finish('Closed.');
  }

  /** Shows a Gatehouse notice in the terminal (an approval's fate), then the prompt again. */
  announce(text: string): void {
    if (this.closed) return;
    this.queue = this.queue.then(async () => {
      const prompt = await this.screen.promptBeforeCursor();
      this.o.recorder?.marker({ type: 'approval', text });
      this.show(`\r\n\x1b[1;33m[Gatehouse] ${this.o.masker.maskText(text).text}\x1b[0m\r\n${this.o.masker.maskText(prompt).text}`);
    });
  }

  /** Sends a held line as if typed, once its approval's grant was verified. */
  release(heldId: string): boolean {
    const h = this.held.get(heldId);
    if (!h || this.closed) return false;
    this.held.delete(heldId);
    this.queue = this.queue.then(async () => {
      await this.send(`${KILL_LINE}${h.line.replace(/\n/g, '\r')}\r`);
      this.resetLine();
    });
    return true;
  }

  // ---- output ----

  private onOutput(d: Buffer): void {
    this.lastActivity = performance.now();
    if (this.unansweredSince !== undefined) {
      this.echoSamples.push(Math.min(this.lastActivity - this.unansweredSince, this.o.echoMaxMs ?? 1000));
      if (this.echoSamples.length > 8) this.echoSamples.shift();
      this.unansweredSince = undefined;
    }
    this.screen.write(d);
    const out = this.output.write(d);
    if (out) this.emitOutput(out);
  }

  private emitOutput(data: string): void {
    if (!data) return;
    // The recording gets exactly the (masked) strings the screen gets, in the same order.
    this.o.recorder?.output(data);
    this.o.emit('terminal.output', { terminalId: this.o.id, data });
    this.pace?.check(this.channel);
  }

  /** Text the broker itself shows: into the screen model too, so both stay in step. */
  private show(text: string): void {
    this.emitOutput(this.output.flush());
    this.screen.write(text);
    this.emitOutput(text);
  }

  // ---- input ----

  private async process(data: string): Promise<void> {
    const keys = tokenizeInput(data);
    let pending = '';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k.kind === 'enter' && !this.editor.inPaste) {
        if (keys.slice(i + 1).some((n) => n.kind === 'text' || n.kind === 'enter')) {
          // More lines follow in the same chunk: a paste (without bracketed-paste mode).
          return this.onPaste(pending, keys.slice(i));
        }
        await this.send(pending);
        pending = '';
        await this.onEnter(k.raw);
        continue;
      }
      if (isLineAbort(k)) {
        pending += k.raw;
        this.resetLine();
        continue;
      }
      if (this.fresh) {
        await this.send(pending);
        pending = '';
        await this.screen.markInputStart();
        this.fresh = false;
      }
      this.editor.apply(k);
      pending += k.raw;
    }
    await this.send(pending);
  }

  private async onEnter(raw: string): Promise<void> {
    if (this.fresh) {
      await this.screen.markInputStart();
      this.fresh = false;
    }
    const typed = this.editor.text;
    const certain = this.editor.certain;
    let verdict;
    try {
      // Judged on the very reading that ended the wait: a second read could already hold the
      // next output (a first prompt drawn after the tty's echo of typed-ahead keys).
      const reading = await this.waitForEcho(certain ? typed : undefined);
      verdict = judgeEnter({ typed, certain, continuation: this.continuation, reading }, this.o.shellPolicy());
    } catch (err) {
      this.o.logger.error({ err, terminalId: this.o.id }, 'guard failed');
      return this.block({ action: 'deny', reason: 'the command guard failed; nothing was sent', basis: 'opaque' }, '', true);
    }
    this.o.logger.info({ terminalId: this.o.id, action: verdict.decision.action, rule: verdict.decision.rule, source: verdict.source }, 'shell line judged');
    if (verdict.decision.action !== 'allow') return this.block(verdict.decision, verdict.line, verdict.secret);
    // Allowed lines are recorded too (masked by the recorder): replay search finds every command run.
    if (!verdict.secret && verdict.line.trim()) this.o.recorder?.marker({ type: 'guard', action: 'allow', command: verdict.line.slice(0, 2000) });
    await this.send(raw);
    const continuation = verdict.incomplete ? [...this.continuation, verdict.line] : [];
    this.resetLine();
    this.continuation = continuation;
    this.unblock();
  }

  /** Several lines at once: every unit is judged before any byte of the paste is sent. */
  private async onPaste(prefix: string, keys: Key[]): Promise<void> {
    let text = '';
    let opaque = false;
    for (const k of keys) {
      if (k.kind === 'text') text += k.raw;
      else if (k.kind === 'enter') text += '\n';
      else if (k.kind === 'control' && k.raw === '\t') text += '\t';
      else if (k.kind !== 'paste-start' && k.kind !== 'paste-end') opaque = true;
    }
    const cut = text.lastIndexOf('\n');
    const trailing = text.slice(cut + 1);
    // The line being edited when the paste arrived (its keys are in the editor, maybe not sent
    // yet) is the start of the paste's first line.
    let current = this.editor.text;
    const policy = this.o.shellPolicy();
    const decisions: ShellDecision[] = [];
    if (!this.editor.certain) {
      await this.send(prefix);
      prefix = '';
      const v = judgeEnter({ typed: '', certain: false, continuation: this.continuation, reading: await this.waitForEcho(undefined) }, policy);
      if (v.source === 'not-found') decisions.push(v.decision);
      current = v.line;
    }
    if (opaque) decisions.push(unparseable(policy, 'the paste contains control keys, so the lines it produces are unknown'));
    const whole = [...this.continuation, current + text.slice(0, cut)].join('\n');
    const units = splitPastedLines(whole);
    const open = units.length > 0 && needsMoreInput(units[units.length - 1]!) ? units.pop() : undefined;
    decisions.push(...units.map((u) => judgeText(u, [], policy)));
    const decision = decisions.length ? strictest(decisions) : { action: 'allow' as const, reason: 'empty paste', basis: 'default' as const };
    if (decision.action !== 'allow') {
      await this.send(prefix);
      const lineNo = units.findIndex((u) => judgeText(u, [], policy).action !== 'allow');
      return this.block({ ...decision, reason: `${decision.reason} (pasted line ${lineNo + 1} of ${units.length}; nothing of the paste was sent)` }, decision.command ?? '', false);
    }
    await this.send(prefix + keys.map((k) => k.raw).join(''));
    this.resetLine();
    this.continuation = open !== undefined ? [open] : [];
    if (trailing) {
      // Typed ahead of the prompts the pasted lines will print: no anchor, only the keys.
      this.editor.apply({ kind: 'text', raw: trailing });
      this.fresh = false;
    }
    this.unblock();
  }

  private async block(decision: ShellDecision, line: string, secret: boolean): Promise<void> {
    const hadContinuation = this.continuation.length > 0;
    await this.send(hadContinuation ? ABORT_COMMAND : KILL_LINE);
    this.resetLine();
    await this.waitForEcho(undefined);
    const prompt = await this.screen.promptBeforeCursor();
    const needsApproval = decision.action === 'approve';
    const rule = decision.rule ? ` [${decision.rule}]` : '';
    const headline = needsApproval
      ? `[Gatehouse] held: this command needs an admin's approval (request it above the terminal): ${decision.reason}${rule}`
      : `[Gatehouse] blocked: ${decision.reason}${rule}`;
    // Re-show the prompt so the cursor sits where the shell believes it is.
    this.show(`\r\n\x1b[1;31m${headline}\x1b[0m\r\n${this.o.masker.maskText(prompt).text}`);
    const command = secret ? undefined : this.o.masker.maskText(decision.command ?? line).text.slice(0, 500);
    let heldId: string | undefined;
    if (needsApproval && !secret) {
      heldId = `held-${++this.heldSeq}`;
      this.held.set(heldId, { id: heldId, line, decision });
    }
    const notice: GuardNotice = {
      action: needsApproval ? 'approve' : 'deny',
      reason: decision.reason,
      ...(decision.rule ? { rule: decision.rule } : {}),
      ...(command ? { command } : {}),
      ...(heldId ? { heldId } : {}),
    };
    this.o.emit('terminal.guard', { terminalId: this.o.id, notice });
    this.o.recorder?.marker({ type: 'guard', ...notice });
    this.blocked = true;
    this.state('blocked', headline);
    this.o.logger.info({ terminalId: this.o.id, action: decision.action, rule: decision.rule, command }, 'shell line blocked');
  }

  private unblock(): void {
    if (!this.blocked) return;
    this.blocked = false;
    this.state('connected');
  }

  private resetLine(): void {
    this.editor.reset();
    this.continuation = [];
    this.fresh = true;
    this.screen.clearAnchor();
  }

  private send(data: string): Promise<void> {
    if (!data || !this.channel || this.closed) return Promise.resolve();
    this.lastActivity = this.lastSend = performance.now();
    this.unansweredSince ??= this.lastSend;
    const ch = this.channel;
    return new Promise((resolve) => {
      if (ch.write(data)) resolve();
      else ch.once('drain', () => resolve());
    });
  }

  /**
   * Lets the echo of what was sent reach the screen model, and returns the reading that ended the
   * wait. Without certain keys: until the output has been quiet for a moment. With them: until the
   * screen ends with the typed line, or on silence only while nothing at all was echoed (a
   * password prompt, `stty -echo`) or a full-screen program has the keyboard; a partial echo is
   * an echo still on its way, not a mismatch.
   *
   * Silence only counts once the link's echo latency has passed since the last send: on a slow
   * link (or a busy host) 50 ms of quiet does not mean the keys were processed, and a screen read
   * before their echo shows a stale line (for an edited history line: the line before the edit).
   */
  private async waitForEcho(typed: string | undefined): Promise<ScreenReading> {
    const quiet = this.o.echoQuietMs ?? 50;
    const latency = Math.max(0, ...this.echoSamples);
    const deadline = performance.now() + Math.max(this.o.echoMaxMs ?? 1000, 2 * latency + quiet);
    const want = typed?.replace(/\s+/g, '');
    for (;;) {
      const r = await this.screen.read();
      // The region is the tail of the logical line, so this holds whenever the region ends with it.
      if (want && r.full.replace(/\s+/g, '').endsWith(want)) return r;
      const now = performance.now();
      const silenceEnds = !want || r.altScreen || r.region?.trim() === '';
      const silent = now - this.lastActivity >= quiet && now - this.lastSend >= 1.5 * latency;
      if ((silenceEnds && silent) || now >= deadline || this.closed) return r;
      await new Promise((res) => setTimeout(res, 5));
    }
  }

  private state(state: BridgeEventPayload<'terminal.state'>['state'], message?: string): void {
    this.o.emit('terminal.state', { terminalId: this.o.id, state, ...(message ? { message } : {}) });
  }

  private finish(message: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emitOutput(this.output.end());
    this.recordingClosed = this.o.recorder?.close() ?? Promise.resolve();
    this.o.emit('terminal.state', { terminalId: this.o.id, state: 'disconnected', message: scrub(message, this.secrets), ...(this.exitCode !== undefined ? { exitCode: this.exitCode } : {}) });
    this.screen.dispose();
    this.channel?.close();
    this.client?.end();
    this.secrets = [];
    this.o.onClosed();
  }
}
