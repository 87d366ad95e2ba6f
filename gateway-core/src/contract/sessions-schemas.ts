/**
 * Session replay part of the bridge contract (issue 6): the recorded sessions on the policy
 * server, and their recordings read in pieces. Recordings are already masked when written, so
 * what crosses here is what the user saw. Access is decided by the policy server: an engineer's
 * request for another user's session is refused there, and that refusal is what the UI shows.
 */
import { z } from 'zod';

const Id = z.string().min(1).max(200);

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
  kind: z.enum(['terminal', 'sql']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** 'uploading': still being recorded or uploaded (shown as live); only 'complete' replays whole. */
  status: z.enum(['uploading', 'complete']),
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
    kind: z.enum(['terminal', 'sql']).optional(),
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    hasBlocked: z.boolean().optional(),
    hasApproval: z.boolean().optional(),
    /** Text search over the (masked) statements and command lines. */
    q: z.string().min(1).max(500).optional(),
    includeLive: z.boolean().optional(),
    limit: z.number().int().min(1).max(500).optional(),
  })
  .strict();
export type SessionFilter = z.infer<typeof SessionFilter>;

/**
 * A piece of a recording (`body`: the .cast or .sql.jsonl; `index`: its .index.jsonl with the
 * hash chain and terminal keyframes). `text` holds whole lines only; read on from `nextOffset`
 * (a byte offset) until `eof`.
 */
export const SessionChunk = z.object({
  text: z.string(),
  nextOffset: z.number().int().nonnegative(),
  eof: z.boolean(),
  totalBytes: z.number().int().nonnegative(),
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
