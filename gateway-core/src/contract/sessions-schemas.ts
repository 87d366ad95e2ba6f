/**
 * Session replay part of the bridge contract (issue 6): the recorded sessions on the policy
 * server, and their recordings read in pieces. Recordings are already masked when written, so
 * what crosses here is what the user saw. Access is decided by the policy server: an engineer's
 * request for another user's session is refused there, and that refusal is what the UI shows.
 */
import { z } from 'zod';

const Id = z.string().min(1).max(200);
/** `agent`: one AI agent's MCP tool call. */
const Kind = z.enum(['terminal', 'sql', 'agent']);

export const SessionCountsView = z.object({
  blocked: z.number().int().nonnegative(),
  held: z.number().int().nonnegative(),
  approved: z.number().int().nonnegative(),
  masked: z.number().int().nonnegative(),
});

export const SessionView = z.object({
  id: Id,
  user: z.string(),
  userName: z.string(),
  connectionId: z.string(),
  kind: Kind,
  /** An agent call's tool; null for terminal and SQL sessions. */
  detail: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /**
   * 'uploading': still being recorded (streamed to the server as it runs) or uploaded: shown as
   * live, and opened in the player's live mode; 'complete': verified, replays whole.
   */
  status: z.enum(['uploading', 'complete']),
  /** Bytes of the recording and its index the server holds (of a live session: so far). */
  bodyBytes: z.number().int().nonnegative(),
  indexBytes: z.number().int().nonnegative(),
  /** Verified events (lines, the header included); null until complete. */
  events: z.number().int().nonnegative().nullable(),
  counts: SessionCountsView,
});
export type SessionView = z.infer<typeof SessionView>;

export const SessionFilter = z
  .object({
    user: z.string().max(200).optional(),
    connectionId: z.string().max(200).optional(),
    kind: Kind.optional(),
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    hasBlocked: z.boolean().optional(),
    hasApproval: z.boolean().optional(),
    /** Text search over the (masked) statements, command lines, and agent tools and inputs. */
    q: z.string().min(1).max(500).optional(),
    includeLive: z.boolean().optional(),
    limit: z.number().int().min(1).max(500).optional(),
  })
  .strict();
export type SessionFilter = z.infer<typeof SessionFilter>;

/**
 * A piece of a recording (`body`: the .cast, .sql.jsonl or .agent.jsonl; `index`: its .index.jsonl with the
 * hash chain and terminal keyframes). `text` holds whole lines only; read on from `nextOffset`
 * (a byte offset) until `eof`. With `live`, eof is only the end of what the server holds now:
 * read again from `nextOffset` later for more, until a chunk says `live: false`.
 */
export const SessionChunk = z.object({
  text: z.string(),
  nextOffset: z.number().int().nonnegative(),
  eof: z.boolean(),
  totalBytes: z.number().int().nonnegative(),
  /** The session is still uploading (running, or its upload unfinished): more may follow. */
  live: z.boolean(),
});
export type SessionChunk = z.infer<typeof SessionChunk>;

export const sessionsMethods = {
  'sessions.list': { input: SessionFilter, output: z.object({ sessions: z.array(SessionView) }) },
  'sessions.get': { input: z.object({ sessionId: Id }).strict(), output: SessionView },
  'sessions.read': {
    input: z
      .object({
        sessionId: Id,
        part: z.enum(['body', 'index']),
        offset: z.number().int().nonnegative(),
        /** At most this many bytes (default 4 MiB); a single longer line is returned whole. */
        maxBytes: z.number().int().min(1024).max(16 * 1024 * 1024).optional(),
      })
      .strict(),
    output: SessionChunk,
  },
} as const;
