/**
 * The policy server's recordings API, as data (issue 6, "Sessions on the policy server"): the
 * bodies the server accepts and returns for uploading a recording resumably and for reading it
 * back. Shared like approvals/policy-server-api.ts: the server validates its inputs and
 * serialises its outputs with these, and the uploader validates every answer with them.
 *
 * Upload, per session (the recording's own session id):
 *   PUT  /v1/sessions/:id                 CreateSession → Session (idempotent for its owner)
 *   GET  /v1/sessions/:id/upload          → UploadState (where to resume)
 *   PUT  /v1/sessions/:id/body?offset=N   raw bytes (≤ MAX_UPLOAD_CHUNK_BYTES) → UploadState
 *   PUT  /v1/sessions/:id/index?offset=N  the same for `<recording>.index.jsonl`
 *   POST /v1/sessions/:id/complete        CompleteSession → Session (hashes + chain verified)
 * Read: GET /v1/sessions (SessionListQuery → SessionList), GET /v1/sessions/:id (Session),
 *   GET /v1/sessions/:id/body and /index (the files, with HTTP Range).
 * Live: while a session runs, the uploader appends its whole lines every few seconds; reading
 *   an 'uploading' session serves what the server holds so far (Session.bodyBytes/indexBytes),
 *   and SESSION_STATUS_HEADER on the answer says whether more may follow.
 */
import { z } from 'zod';

/** Largest chunk one PUT …/body or …/index may carry. */
export const MAX_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

/** On GET …/body and …/index: the session's status (`uploading`: live, more may follow; `complete`). */
export const SESSION_STATUS_HEADER = 'gatehouse-session-status';

const Timestamp = z.string().describe('ISO 8601 time');
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex');

/** A recording's session id, as in its header (`gatehouse.sessionId`). */
export const SessionId = z.string().min(1).max(200);

/** `agent`: one MCP tool call by an AI agent (issue 8), recorded as a session of its own. */
export const SessionKind = z.enum(['terminal', 'sql', 'agent']);
export type SessionKind = z.infer<typeof SessionKind>;

/** 'uploading': still being recorded (streamed live) or uploaded; 'complete': verified, final. */
export const SessionStatus = z.enum(['uploading', 'complete']);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const SessionIdParam = z.object({ id: SessionId }).strict();

/** The owner is the caller (the token's subject), never a field of the body. */
export const CreateSession = z
  .object({
    kind: SessionKind,
    connectionId: z.string().min(1).max(200),
    startedAt: z.iso.datetime({ offset: true }),
    /** When the session ended, if the client knows (else derived from the recording's last event). */
    endedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();
export type CreateSession = z.infer<typeof CreateSession>;

export const UploadState = z.object({
  /** Bytes of the recording the server holds: the next body chunk starts here. */
  bodyBytes: z.number().int().nonnegative(),
  /** Bytes of the index the server holds. */
  indexBytes: z.number().int().nonnegative(),
  status: SessionStatus,
});
export type UploadState = z.infer<typeof UploadState>;

export const UploadPart = z.enum(['body', 'index']);
export type UploadPart = z.infer<typeof UploadPart>;

export const UploadOffsetQuery = z.object({ offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict();

/** 409 to a chunk sent at the wrong offset: resume at `expectedOffset`. */
export const OffsetMismatch = z.object({ code: z.literal('offset_mismatch'), message: z.string(), expectedOffset: z.number().int().nonnegative() });
export type OffsetMismatch = z.infer<typeof OffsetMismatch>;

export const CompleteSession = z.object({ bodySha256: Sha256, indexSha256: Sha256 }).strict();
export type CompleteSession = z.infer<typeof CompleteSession>;

export const SessionCounts = z.object({
  /** Statements and command lines the guard refused. */
  blocked: z.number().int().nonnegative(),
  /** Statements and command lines held for an approval. */
  held: z.number().int().nonnegative(),
  /** Approved actions that ran (SQL `approved` decisions, terminal "approved by …" notices). */
  approved: z.number().int().nonnegative(),
  /** Events that carry a masked value (a masked cell, or a masking bullet in their text). */
  masked: z.number().int().nonnegative(),
});
export type SessionCounts = z.infer<typeof SessionCounts>;

export const Session = z.object({
  id: SessionId,
  /** The owner's subject (the token that created the session). */
  user: z.string(),
  userName: z.string(),
  connectionId: z.string(),
  kind: SessionKind,
  /** What the session was about, from its verified recording: an agent call's tool; null for others. */
  detail: z.string().nullable(),
  startedAt: Timestamp,
  endedAt: Timestamp.nullable(),
  status: SessionStatus,
  bodyBytes: z.number().int().nonnegative(),
  indexBytes: z.number().int().nonnegative(),
  bodySha256: Sha256.nullable(),
  indexSha256: Sha256.nullable(),
  /** Verified events (lines, the header included); null until complete. */
  events: z.number().int().nonnegative().nullable(),
  /** The recording was closed cleanly (its index has an `end` entry); null until complete. */
  sealed: z.boolean().nullable(),
  /** The last hash of the chain, as verified on arrival; null until complete. */
  head: Sha256.nullable(),
  counts: SessionCounts,
  createdAt: Timestamp,
  completedAt: Timestamp.nullable(),
});
export type Session = z.infer<typeof Session>;

const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const SessionListQuery = z
  .object({
    user: z.string().max(200).optional(),
    connectionId: z.string().max(200).optional(),
    kind: SessionKind.optional(),
    /** Sessions that started at or after this time. */
    from: z.iso.datetime({ offset: true }).optional(),
    /** Sessions that started before this time. */
    to: z.iso.datetime({ offset: true }).optional(),
    hasBlocked: Flag.optional(),
    /** Some statement or line was held for, or ran under, an approval. */
    hasApproval: Flag.optional(),
    /** Case-insensitive text search over the (masked) SQL statements, shell command lines, and agent tools and inputs. */
    q: z.string().min(1).max(500).optional(),
    /** Default: complete (only those can be replayed). */
    status: z.enum(['uploading', 'complete', 'any']).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
export type SessionListQuery = z.input<typeof SessionListQuery>;

export const SessionList = z.object({ sessions: z.array(Session) });
export type SessionList = z.infer<typeof SessionList>;
