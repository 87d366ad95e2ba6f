/**
 * Records one MCP tool call by an AI agent as its own session (recording-format.ts, kind
 * `agent`): the call and its arguments, the guard's decision, approvals, and what the agent got
 * back (query results, text, a command's exit status, errors). One recording per call, so each
 * call is listed, searched and replayed on its own, and a long-lived MCP session never holds a
 * recording open.
 *
 * What is masked where (invariant 2):
 * - The arguments are masked here, every string deeply (and numbers that a detector recognises,
 *   such as a card number sent as a JSON number), because the agent may quote any value.
 * - The decision's reason and errors are masked here with the caller's masker, as for SQL.
 * - Query results and output arrive masked: they are exactly what the agent was given.
 * - An approval's detail (a justification, a denial reason) is masked with the call's masker.
 */
import type { SqlRunResult } from '../contract/sql-schemas.js';
import type { Logger } from '../logging/logger.js';
import { createMasker, type Masker } from '../masking/index.js';
import { JsonlRecording } from './jsonl-recording.js';
import { RECORDING_FORMAT_VERSION, type AgentEvent, type AgentHeader } from './recording-format.js';
import type { StopReason } from './recording-writer.js';
import type { SqlDecision } from './sql-recorder.js';
import { DEFAULT_ROWS_PER_STATEMENT, maskForRecording as mask, sqlResultEvents } from './sql-result-events.js';
import type { SpoolAccount } from './spool.js';

export interface AgentCallRecorderOptions {
  path: string;
  sessionId: string;
  /** The agent identity's id. */
  user: string;
  /** '-' for tools that touch no connection (list_connections). */
  connectionId: string;
  tool: string;
  /** The MCP client's "name/version". */
  client?: string;
  mcpSession?: string;
  logger: Logger;
  spool?: SpoolAccount;
  flushIntervalMs?: number;
  onStopped?: (reason: StopReason) => void;
  now?: () => number;
  /** Rows kept per statement of a query result (default 100); the count says how many there were. */
  maxRowsPerStatement?: number;
  /** Characters kept per output event (default 64 KiB); the rest is noted by its length. */
  maxOutputChars?: number;
}

export interface AgentCallRecorder {
  readonly path: string;
  readonly indexPath: string;
  readonly isRecording: boolean;
  /** The call's arguments; every string inside (deeply) is masked with `masker` before it is written. */
  input(args: Record<string, unknown>, masker: Masker): void;
  /** The guard's decision; `reason` is masked with `masker`. */
  decision(d: SqlDecision, masker: Masker): void;
  approval(requestId: string, status: string, detail?: string): void;
  /** A query's result exactly as returned to the agent (already masked by the broker). */
  sqlResult(result: SqlRunResult): void;
  /** Text the tool returned or a command printed (already masked by the caller). */
  output(stream: 'stdout' | 'stderr' | 'result', text: string): void;
  exit(code: number, signal?: string): void;
  /** An error message, masked with `masker`. */
  error(message: string, masker: Masker): void;
  close(): Promise<void>;
}

export const DEFAULT_MAX_OUTPUT_CHARS = 64 * 1024;
/** Per string argument, as for SQL statement text. */
const MAX_INPUT_STRING_CHARS = 20_000;
/** Arguments nested deeper than this are not walked (an agent's arguments are shallow JSON). */
const MAX_INPUT_DEPTH = 32;

export function createAgentCallRecorder(o: AgentCallRecorderOptions): AgentCallRecorder {
  return new AgentCallRecorderImpl(o);
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

class AgentCallRecorderImpl implements AgentCallRecorder {
  private readonly rec: JsonlRecording<AgentEvent>;
  private runs = 0;
  /** The last masker the caller gave, for text that arrives without one (approval details). */
  private masker: Masker | undefined;

  constructor(private readonly o: AgentCallRecorderOptions) {
    // The client names itself (untrusted, any length): clamped to what the format accepts, so a
    // long name cannot make the recording invalid and so unuploadable.
    const agent = { tool: o.tool, ...(o.client !== undefined ? { client: o.client.slice(0, 400) } : {}), ...(o.mcpSession !== undefined ? { mcpSession: o.mcpSession.slice(0, 200) } : {}) };
    const header: AgentHeader = {
      format: 'gatehouse-agent',
      version: RECORDING_FORMAT_VERSION,
      gatehouse: { recordingVersion: RECORDING_FORMAT_VERSION, sessionId: o.sessionId, user: o.user, connectionId: o.connectionId, kind: 'agent', startedAt: new Date().toISOString(), agent },
    };
    this.rec = new JsonlRecording<AgentEvent>(o, header);
  }

  get path(): string {
    return this.rec.path;
  }

  get indexPath(): string {
    return this.rec.indexPath;
  }

  get isRecording(): boolean {
    return this.rec.isRecording;
  }

  input(args: Record<string, unknown>, masker: Masker): void {
    this.masker = masker;
    const input = maskJson(args, masker, 0);
    this.rec.event({ type: 'call', tool: this.o.tool, input: isObject(input) ? input : {} });
  }

  decision(d: SqlDecision, masker: Masker): void {
    this.masker = masker;
    this.rec.event({ type: 'decision', action: d.action, class: d.class, rule: d.rule, reason: mask(masker, d.reason), ...(d.approvalId ? { approvalId: d.approvalId } : {}) });
  }

  approval(requestId: string, status: string, detail?: string): void {
    // Someone's justification or an admin's reason may quote a value; with no masker of the call
    // yet, every detector is used, so the detail is never written unmasked.
    const masked = detail === undefined ? undefined : mask(this.masker ?? fallbackMasker(), detail);
    this.rec.event({ type: 'approval', requestId, status, ...(masked !== undefined ? { detail: masked } : {}) });
  }

  sqlResult(result: SqlRunResult): void {
    const run = this.runs++;
    for (const e of sqlResultEvents(run, result, this.o.maxRowsPerStatement ?? DEFAULT_ROWS_PER_STATEMENT)) this.rec.event(e);
  }

  output(stream: 'stdout' | 'stderr' | 'result', text: string): void {
    const max = this.o.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
    this.rec.event({ type: 'output', stream, text: text.length > max ? `${text.slice(0, max)}…[${text.length - max} more characters]` : text });
  }

  exit(code: number, signal?: string): void {
    // The format wants an integer; a caller's NaN must not make the line invalid.
    this.rec.event({ type: 'exit', code: Number.isInteger(code) ? code : -1, ...(signal ? { signal } : {}) });
  }

  error(message: string, masker: Masker): void {
    this.masker = masker;
    this.rec.event({ type: 'error', error: { message: mask(masker, message) } });
  }

  close(): Promise<void> {
    return this.rec.close();
  }
}

let fallback: Masker | undefined;
function fallbackMasker(): Masker {
  fallback ??= createMasker({ detectors: 'all', columns: {} });
  return fallback;
}

function isObject(v: Json): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The arguments as JSON (JSON.stringify's rules: undefined and functions dropped from objects,
 * null in arrays; toJSON honoured), with every string and object key masked (then capped), and
 * numbers that a detector recognises replaced by their masked text.
 */
function maskJson(value: unknown, masker: Masker, depth: number): Json {
  if (depth > MAX_INPUT_DEPTH) return '[nested too deeply]';
  switch (typeof value) {
    case 'string': {
      const masked = mask(masker, value);
      return masked.length > MAX_INPUT_STRING_CHARS ? `${masked.slice(0, MAX_INPUT_STRING_CHARS)}…` : masked;
    }
    case 'number': {
      if (!Number.isFinite(value)) return null;
      const text = String(value);
      const masked = mask(masker, text);
      return masked === text ? value : masked;
    }
    case 'bigint':
      return mask(masker, value.toString());
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      const withJson = value as { toJSON?: unknown };
      if (typeof withJson.toJSON === 'function') return maskJson((withJson.toJSON as () => unknown).call(value), masker, depth + 1);
      if (Array.isArray(value)) return value.map((v) => (isJsonable(v) ? maskJson(v, masker, depth + 1) : null));
      const out: { [key: string]: Json } = {};
      for (const [k, v] of Object.entries(value)) {
        // defineProperty: a key "__proto__" is data here, not the object's prototype.
        if (isJsonable(v)) Object.defineProperty(out, mask(masker, k), { value: maskJson(v, masker, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      return null;
  }
}

function isJsonable(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
}
