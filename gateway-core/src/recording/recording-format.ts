/**
 * The on-disk shapes of recordings (BRIEF §5), as zod schemas: the reader validates every line,
 * so a player or verifier never trusts a recording's JSON blindly.
 *
 * - Terminal: asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/). Line 0 is the
 *   header; every later line is `[time, code, data]`. Gatehouse's own metadata sits under the
 *   header key `gatehouse`, which asciinema ignores (it reads only the keys it knows).
 * - SQL: JSONL in the same spirit: line 0 a header, then one `{t, type, ...}` object per line.
 * - Agent: one MCP tool call by an AI agent, as JSONL like SQL (its query results reuse the SQL
 *   result events, so the player shows them the same way).
 * - Index (`<recording>.index.jsonl`): one chain entry per line of the recording (the header is
 *   entry 0), keyframes for terminals, and an `end` entry once the recording was closed cleanly.
 *
 * Event numbers are line numbers: event 0 is the header, event n the (n+1)-th line.
 */
import { z } from 'zod';

export const RECORDING_FORMAT_VERSION = 1;

/** What every recording says about its session; the same object in both formats. */
export const SessionMeta = z.object({
  recordingVersion: z.literal(RECORDING_FORMAT_VERSION),
  sessionId: z.string().min(1).max(200),
  /** The identity id of whoever the session acted for. */
  user: z.string().min(1).max(200),
  connectionId: z.string().min(1).max(200),
  kind: z.enum(['terminal', 'sql', 'agent']),
  /** When the session started, ISO 8601 (the asciicast `timestamp` is whole seconds only). */
  startedAt: z.string(),
});
export type SessionMeta = z.infer<typeof SessionMeta>;

// ---- terminal: asciicast v2 -------------------------------------------------------------------

export const AsciicastHeader = z.object({
  version: z.literal(2),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  timestamp: z.number().int().nonnegative().optional(),
  title: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  gatehouse: SessionMeta.extend({ kind: z.literal('terminal') }).optional(),
});
export type AsciicastHeader = z.infer<typeof AsciicastHeader>;

const Time = z.number().nonnegative().finite();
/** `o` output, `i` input, `r` resize ("COLSxROWS"), `m` marker; all data fields are strings. */
export const AsciicastEvent = z.union([
  z.tuple([Time, z.literal('o'), z.string()]),
  z.tuple([Time, z.literal('i'), z.string()]),
  z.tuple([Time, z.literal('r'), z.string().regex(/^\d+x\d+$/)]),
  z.tuple([Time, z.literal('m'), z.string()]),
]);
export type AsciicastEvent = z.infer<typeof AsciicastEvent>;

/** The JSON inside an `m` event's label: what the guard decided, or what an approval did. */
export const TerminalMarker = z.object({
  type: z.enum(['guard', 'approval', 'notice', 'recording']),
  action: z.string().optional(),
  rule: z.string().optional(),
  reason: z.string().optional(),
  /** The command line, masked. */
  command: z.string().optional(),
  heldId: z.string().optional(),
  text: z.string().optional(),
});
export type TerminalMarker = z.infer<typeof TerminalMarker>;

// ---- SQL: JSONL --------------------------------------------------------------------------------

export const SqlHeader = z.object({
  format: z.literal('gatehouse-sql'),
  version: z.literal(RECORDING_FORMAT_VERSION),
  gatehouse: SessionMeta.extend({ kind: z.literal('sql') }),
});
export type SqlHeader = z.infer<typeof SqlHeader>;

const Cell = z.object({ v: z.string().nullable(), m: z.string().optional() }).strict();
const Base = { t: Time };
/** Which submission (run) and which statement of it an event belongs to. */
const Ref = { run: z.number().int().nonnegative() };
const StatementRef = { ...Ref, index: z.number().int().nonnegative() };

/** allow: ran; deny: refused; approve: held for approval, not run; approved: ran under a grant. */
const DecisionFields = {
  action: z.enum(['allow', 'deny', 'approve', 'approved']),
  class: z.enum(['read', 'write', 'dangerous']).nullable(),
  rule: z.string(),
  reason: z.string(),
  approvalId: z.string().optional(),
};
const StatementError = z.object({ message: z.string(), sqlstate: z.string().optional(), detail: z.string().optional(), hint: z.string().optional() }).strict();

// What one statement of a run returned: shared by SQL and agent recordings (sql-result-events.ts).
const ColumnsEvent = z.object({ ...Base, ...StatementRef, type: z.literal('columns'), columns: z.array(z.object({ name: z.string(), type: z.string() }).strict()) }).strict();
const RowsEvent = z
  .object({
    ...Base,
    ...StatementRef,
    type: z.literal('rows'),
    /** The first rows as the user saw them, masked; at most the recorder's cap. */
    rows: z.array(z.array(Cell)),
    /** Rows the statement had returned when it was recorded (the total when `more` is false). */
    rowCount: z.number().int().nonnegative(),
    /** More rows existed than were fetched when the result was recorded. */
    more: z.boolean(),
    /** The role's row cap stopped the fetch. */
    capped: z.boolean(),
    durationMs: z.number().nonnegative(),
  })
  .strict();
const DoneEvent = z.object({ ...Base, ...StatementRef, type: z.literal('done'), command: z.string(), rowCount: z.number().int().nonnegative().nullable(), durationMs: z.number().nonnegative() }).strict();
/** Masked like everything the editor shows (a unique violation's DETAIL echoes the value). */
const ErrorEvent = z.object({ ...Base, ...StatementRef, type: z.literal('error'), error: StatementError, durationMs: z.number().nonnegative() }).strict();
const NoticeEvent = z.object({ ...Base, ...Ref, type: z.literal('notice'), text: z.string() }).strict();
/** A cancel request (`run` absent) or a statement that ended cancelled. */
const CancelEvent = z.object({ ...Base, run: z.number().int().nonnegative().optional(), index: z.number().int().nonnegative().optional(), type: z.literal('cancel') }).strict();
const MarkerEvent = z.object({ ...Base, type: z.literal('marker'), label: z.string() }).strict();

export const SqlEvent = z.discriminatedUnion('type', [
  /** The submitted text, masked (it may quote values). `via: export` for CSV exports. */
  z.object({ ...Base, ...Ref, type: z.literal('statement'), text: z.string(), via: z.enum(['editor', 'approval', 'export']) }).strict(),
  z.object({ ...Base, ...Ref, type: z.literal('decision'), ...DecisionFields }).strict(),
  ColumnsEvent,
  RowsEvent,
  DoneEvent,
  ErrorEvent,
  CancelEvent,
  NoticeEvent,
  MarkerEvent,
]);
export type SqlEvent = z.infer<typeof SqlEvent>;

// ---- agent: JSONL, one MCP tool call ----------------------------------------------------------

/** What the agent side of an MCP tool call says about itself. */
export const AgentCallInfo = z
  .object({
    tool: z.string().min(1).max(200),
    /** The MCP client's "name/version", as it introduced itself. */
    client: z.string().max(400).optional(),
    /** The MCP session the call belongs to (calls of one conversation share it). */
    mcpSession: z.string().max(200).optional(),
  })
  .strict();
export type AgentCallInfo = z.infer<typeof AgentCallInfo>;

export const AgentHeader = z.object({
  format: z.literal('gatehouse-agent'),
  version: z.literal(RECORDING_FORMAT_VERSION),
  gatehouse: SessionMeta.extend({ kind: z.literal('agent'), agent: AgentCallInfo }),
});
export type AgentHeader = z.infer<typeof AgentHeader>;

/**
 * One tool call's events: the call and its (masked) arguments, the guard's decision, what
 * approvals did, then what came back: SQL results as in SQL recordings (`run` counts the query
 * results of this call), text the tool returned or a command printed, a command's exit status,
 * and errors (masked). A tool error outside any statement has no `run`/`index`.
 */
export const AgentEvent = z.discriminatedUnion('type', [
  z.object({ ...Base, type: z.literal('call'), tool: z.string(), input: z.record(z.string(), z.json()) }).strict(),
  z.object({ ...Base, type: z.literal('decision'), ...DecisionFields }).strict(),
  z.object({ ...Base, type: z.literal('approval'), requestId: z.string(), status: z.string(), detail: z.string().optional() }).strict(),
  ColumnsEvent,
  RowsEvent,
  DoneEvent,
  z
    .object({
      ...Base,
      run: z.number().int().nonnegative().optional(),
      index: z.number().int().nonnegative().optional(),
      type: z.literal('error'),
      error: StatementError,
      durationMs: z.number().nonnegative().optional(),
    })
    .strict(),
  NoticeEvent,
  CancelEvent,
  z.object({ ...Base, type: z.literal('output'), stream: z.enum(['stdout', 'stderr', 'result']), text: z.string() }).strict(),
  z.object({ ...Base, type: z.literal('exit'), code: z.number().int(), signal: z.string().optional() }).strict(),
  MarkerEvent,
]);
export type AgentEvent = z.infer<typeof AgentEvent>;

// ---- index -------------------------------------------------------------------------------------

/**
 * One per recording line. `h` = SHA-256(previous `h` as 64 hex chars ‖ the line's exact bytes,
 * without its newline), the first line chained to 64 zeros; `d` = SHA-256(the line's bytes)
 * alone, so verify can tell a changed event from a removed or reordered one. `b` is the flush
 * batch the line was written in (a crash loses at most the last batch).
 */
export const ChainEntry = z
  .object({
    k: z.literal('c'),
    seq: z.number().int().nonnegative(),
    off: z.number().int().nonnegative(),
    len: z.number().int().nonnegative(),
    d: z.string().regex(/^[0-9a-f]{64}$/),
    h: z.string().regex(/^[0-9a-f]{64}$/),
    b: z.number().int().nonnegative(),
  })
  .strict();
export type ChainEntry = z.infer<typeof ChainEntry>;

/**
 * A terminal's screen after event `seq` (time `t`, which ends at byte `end` of the recording),
 * serialised by @xterm/addon-serialize: write `screen` into a fresh cols×rows terminal, then
 * replay the events after `seq`. Keyframes are derived data and not part of the chain: a player
 * uses them to seek, verify does not vouch for them.
 */
export const KeyframeEntry = z
  .object({
    k: z.literal('kf'),
    seq: z.number().int().nonnegative(),
    t: Time,
    end: z.number().int().nonnegative(),
    cols: z.number().int().positive(),
    rows: z.number().int().positive(),
    screen: z.string(),
  })
  .strict();
export type KeyframeEntry = z.infer<typeof KeyframeEntry>;

/** Written after the last flush and fsync: the recording is complete with exactly `events` lines. */
export const EndEntry = z
  .object({
    k: z.literal('end'),
    events: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    head: z.string().regex(/^[0-9a-f]{64}$/),
    /** Why recording stopped: the session ended, or recording could not go on (spool full, disk error). */
    reason: z.enum(['closed', 'spool-full', 'write-failed']),
  })
  .strict();
export type EndEntry = z.infer<typeof EndEntry>;

export const IndexEntry = z.discriminatedUnion('k', [ChainEntry, KeyframeEntry, EndEntry]);
export type IndexEntry = z.infer<typeof IndexEntry>;

export const GENESIS_HASH = '0'.repeat(64);

export function indexPathFor(recordingPath: string): string {
  return `${recordingPath}.index.jsonl`;
}
