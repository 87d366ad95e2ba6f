/**
 * Sessions on the policy server (issue 6): the index of uploaded recordings in the database, their
 * bodies in the RecordingStore, the resumable upload, verification on arrival, and who may read.
 *
 * - The owner is the caller who created the session (the token's subject), never a body field;
 *   only the owner uploads, and the recording's own header must name the same user, session,
 *   kind and connection or it is refused.
 * - On complete, the stored bytes are hashed and compared with the client's hashes, then the
 *   hash chain is verified with gateway-core's verifyRecording, and the recording is parsed
 *   (readRecording validates every line). Only then is the row complete; on any mismatch the
 *   answer is 422 and the upload stays open (resumable, or reset by its owner).
 * - `detail` (an agent call's tool) is taken from the verified recording at completion, not from
 *   the client's create body, so the list never shows a claim the recording does not back.
 * - Reading: the owner, or anyone whose role approves others (the server's admin notion, as for
 *   PUT /v1/policy and the audit log). Anyone else gets 403, not an empty answer.
 * - Live view: an 'uploading' session is readable too, as far as it has been uploaded (its
 *   metadata's bodyBytes/indexBytes). The gateway streams a running session's whole lines every
 *   few seconds; nothing of it is verified until complete, which is what the list's counts,
 *   search and `events` wait for.
 * - Every replay opened (a body read from byte 0) is an audit event `session.replay_opened`,
 *   with `live: true` when the session was still uploading (someone watched it as it ran).
 */
import { readRecording, verifyRecording, type CompleteSession, type CreateSession, type Session, type SessionListQuery, type UploadPart, type UploadState } from '@gatehouse/gateway-core';
import type { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Principal } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import { conflict, forbidden, HttpError, notFound } from '../http/http-error.js';
import type { Database, Queryable, Row } from '../storage/database.js';
import { intOf, intOrNull, isoOf, isoOrNull, strOf, strOrNull } from '../storage/rows.js';
import { RecordingStore } from './recording-store.js';
import { summarise } from './recording-summary.js';

/** A refused upload (hash, chain or header mismatch): 422 with the reason. */
export const unprocessable = (message: string, code: string): HttpError => new HttpError(422, code, message);

export class OffsetMismatchError extends HttpError {
  constructor(
    readonly part: UploadPart,
    readonly expectedOffset: number,
    offset: number,
  ) {
    super(409, 'offset_mismatch', `the server holds ${expectedOffset} bytes of the ${part}; send the chunk at offset ${expectedOffset}, not ${offset}`);
  }
}

export interface SessionServiceDeps {
  db: Database;
  store: RecordingStore;
  clock: Clock;
  /** Largest body or index one session may have (default 4 GiB). */
  maxFileBytes?: number;
}

type ListFilter = z.output<typeof SessionListQuery>;

const COLUMNS = `id, user_id, user_name, connection_id, kind, detail, started_at, ended_at, status, body_bytes, index_bytes, body_sha256,
  index_sha256, events, sealed, head, blocked_count, held_count, approved_count, masked_count, storage_key, created_at, completed_at`;

interface SessionRow {
  session: Session;
  storageKey: string;
}

export class SessionService {
  private readonly maxFileBytes: number;

  constructor(private readonly d: SessionServiceDeps) {
    this.maxFileBytes = d.maxFileBytes ?? 4 * 1024 ** 3;
  }

  get store(): RecordingStore {
    return this.d.store;
  }

  /** Creates the session for the caller, or returns it when the caller already created it. */
  async create(p: Principal, id: string, body: CreateSession): Promise<{ session: Session; created: boolean }> {
    const now = this.d.clock.now().toISOString();
    const inserted = await this.d.db.query(
      `INSERT INTO sessions (id, user_id, user_name, connection_id, kind, started_at, ended_at, status, storage_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, 'uploading', $8, $9::timestamptz)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id, p.subject, p.displayName, body.connectionId, body.kind, body.startedAt, body.endedAt ?? null, RecordingStore.keyFor(id), now],
    );
    const row = await this.row(this.d.db, id);
    if (!row) throw new Error('session row vanished');
    this.ownerOnly(p, row.session);
    if (inserted.length === 0 && (row.session.kind !== body.kind || row.session.connectionId !== body.connectionId)) {
      throw conflict(`session ${id} was created as a ${row.session.kind} session on ${row.session.connectionId}`);
    }
    return { session: await this.withSizes(row), created: inserted.length > 0 };
  }

  async uploadState(p: Principal, id: string): Promise<UploadState> {
    const row = await this.required(id);
    this.ownerOnly(p, row.session);
    const s = await this.withSizes(row);
    return { bodyBytes: s.bodyBytes, indexBytes: s.indexBytes, status: s.status };
  }

  async append(p: Principal, id: string, part: UploadPart, offset: number, bytes: Buffer): Promise<UploadState> {
    const row = await this.required(id);
    this.ownerOnly(p, row.session);
    if (row.session.status === 'complete') throw conflict(`session ${id} is complete; nothing more can be appended`, 'already_complete');
    if (offset + bytes.length > this.maxFileBytes) throw new HttpError(413, 'payload_too_large', `a session's ${part} may not exceed ${this.maxFileBytes} bytes`);
    // Completing takes the same lock, so a chunk never lands between hashing and marking complete.
    const result = await this.d.store.locked(row.storageKey, async () => {
      const now = await this.row(this.d.db, id);
      if (now?.session.status === 'complete') throw conflict(`session ${id} is complete; nothing more can be appended`, 'already_complete');
      return this.d.store.appendUnlocked(row.storageKey, part, offset, bytes);
    });
    if (!result.ok) throw new OffsetMismatchError(part, result.expected, offset);
    return this.uploadState(p, id);
  }

  /** Discards what was uploaded of an incomplete session, so its owner can send it again from 0. */
  async reset(p: Principal, id: string): Promise<UploadState> {
    const row = await this.required(id);
    this.ownerOnly(p, row.session);
    if (row.session.status === 'complete') throw conflict(`session ${id} is complete and cannot be reset`, 'already_complete');
    await this.d.store.locked(row.storageKey, () => this.d.store.truncate(row.storageKey));
    return this.uploadState(p, id);
  }

  async complete(p: Principal, id: string, hashes: CompleteSession): Promise<Session> {
    const first = await this.required(id);
    this.ownerOnly(p, first.session);
    return this.d.store.locked(first.storageKey, async () => {
      const row = await this.required(id);
      const key = row.storageKey;
      if (row.session.status === 'complete') {
        if (row.session.bodySha256 === hashes.bodySha256 && row.session.indexSha256 === hashes.indexSha256) return row.session;
        throw conflict(`session ${id} is already complete with other contents`, 'already_complete');
      }
      const [bodySha, indexSha, bodyBytes, indexBytes] = await Promise.all([this.d.store.sha256(key, 'body'), this.d.store.sha256(key, 'index'), this.d.store.size(key, 'body'), this.d.store.size(key, 'index')]);
      if (bodySha !== hashes.bodySha256) throw unprocessable(`the stored recording (${bodyBytes} bytes) does not hash to the SHA-256 you sent; reset the upload and send it again`, 'hash_mismatch');
      if (indexSha !== hashes.indexSha256) throw unprocessable(`the stored index (${indexBytes} bytes) does not hash to the SHA-256 you sent; reset the upload and send it again`, 'hash_mismatch');
      const paths = this.d.store.paths(key);
      const verify = await verifyRecording(paths.body);
      if (!verify.intact) throw unprocessable(`the recording does not verify: event ${verify.firstBrokenEvent} ${verify.reason} (${verify.detail})`, 'chain_broken');
      let contents: Awaited<ReturnType<typeof readRecording>>;
      try {
        contents = await readRecording(paths.body);
      } catch (err) {
        throw unprocessable(`the recording is not valid: ${(err as Error).message}`, 'recording_invalid');
      }
      const meta = contents.header.gatehouse;
      if (!meta) throw unprocessable('the recording has no Gatehouse session metadata in its header', 'metadata_mismatch');
      const mismatch =
        meta.sessionId !== id
          ? `it is session ${meta.sessionId}`
          : meta.user !== row.session.user
            ? `it records ${meta.user}'s session, not yours`
            : meta.kind !== row.session.kind
              ? `it is a ${meta.kind} recording`
              : meta.connectionId !== row.session.connectionId
                ? `it is on ${meta.connectionId}`
                : undefined;
      if (mismatch) throw unprocessable(`the recording does not belong to this session: ${mismatch}`, 'metadata_mismatch');
      const summary = summarise(contents);
      const startedAt = Number.isNaN(Date.parse(meta.startedAt)) ? row.session.startedAt : new Date(meta.startedAt).toISOString();
      const endedAt = row.session.endedAt ?? new Date(Date.parse(startedAt) + Math.round(summary.durationSec * 1000)).toISOString();
      const now = this.d.clock.now();
      await this.d.db.transaction(async (tx) => {
        await tx.query(
          `UPDATE sessions SET status = 'complete', started_at = $2::timestamptz, ended_at = $3::timestamptz, body_bytes = $4, index_bytes = $5,
             body_sha256 = $6, index_sha256 = $7, events = $8, sealed = $9, head = $10, blocked_count = $11, held_count = $12,
             approved_count = $13, masked_count = $14, search_text = $15, completed_at = $16::timestamptz, detail = $17
           WHERE id = $1 AND status = 'uploading'`,
          [id, startedAt, endedAt, bodyBytes, indexBytes, bodySha, indexSha, verify.events, verify.sealed, verify.head, summary.counts.blocked, summary.counts.held, summary.counts.approved, summary.counts.masked, summary.searchText, now.toISOString(), summary.detail],
        );
        await appendAudit(tx, {
          at: now,
          type: 'session.uploaded',
          actor: p.subject,
          connectionId: row.session.connectionId,
          detail: { sessionId: id, kind: row.session.kind, ...(summary.detail !== null ? { tool: summary.detail } : {}), bodyBytes, events: verify.events, sealed: verify.sealed, head: verify.head },
        });
      });
      return (await this.required(id)).session;
    });
  }

  async get(p: Principal, id: string): Promise<Session> {
    const row = await this.required(id);
    this.readable(p, row.session);
    return this.withSizes(row);
  }

  async list(p: Principal, f: ListFilter): Promise<Session[]> {
    if (!p.canApprove && f.user !== undefined && f.user !== p.subject) throw forbidden("only administrators (a role that approves others) may list other people's sessions");
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    const user = p.canApprove ? f.user : p.subject;
    if (user !== undefined) add((n) => `user_id = ${n}`, user);
    if (f.connectionId) add((n) => `connection_id = ${n}`, f.connectionId);
    if (f.kind) add((n) => `kind = ${n}`, f.kind);
    if (f.from) add((n) => `started_at >= ${n}::timestamptz`, f.from);
    if (f.to) add((n) => `started_at < ${n}::timestamptz`, f.to);
    if (f.hasBlocked !== undefined) where.push(f.hasBlocked ? 'blocked_count > 0' : 'blocked_count = 0');
    if (f.hasApproval !== undefined) where.push(f.hasApproval ? '(held_count > 0 OR approved_count > 0)' : '(held_count = 0 AND approved_count = 0)');
    if (f.q) add((n) => `strpos(lower(search_text), lower(${n})) > 0`, f.q);
    const status = f.status ?? 'complete';
    if (status !== 'any') add((n) => `status = ${n}`, status);
    params.push(f.limit ?? 100);
    const rows = await this.d.db.query(
      `SELECT ${COLUMNS} FROM sessions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY started_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return Promise.all(rows.map((r) => this.withSizes(fromRow(r))));
  }

  /**
   * For a download: the checks, the file and its size; the replay audit event when the body is
   * read from its first byte.
   */
  async openRead(p: Principal, id: string, part: UploadPart, start: number): Promise<{ session: Session; path: string }> {
    const row = await this.required(id);
    this.readable(p, row.session);
    if (part === 'body' && start === 0) {
      const live = row.session.status === 'uploading';
      await appendAudit(this.d.db, {
        at: this.d.clock.now(),
        type: 'session.replay_opened',
        actor: p.subject,
        connectionId: row.session.connectionId,
        detail: { sessionId: id, owner: row.session.user, kind: row.session.kind, ...(live ? { live: true } : {}) },
      });
    }
    return { session: row.session, path: this.d.store.pathOf(row.storageKey, part) };
  }

  private async required(id: string): Promise<SessionRow> {
    const row = await this.row(this.d.db, id);
    if (!row) throw notFound(`no session ${id}`);
    return row;
  }

  private async row(db: Queryable, id: string): Promise<SessionRow | undefined> {
    const rows = await db.query(`SELECT ${COLUMNS} FROM sessions WHERE id = $1`, [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /**
   * An uploading session's sizes are the stored files' (the row is written at completion), taken
   * under the session's lock so that they never count half of a chunk being written: a live
   * reader is then served whole chunks, which the gateway sends as whole lines.
   */
  private async withSizes(row: SessionRow): Promise<Session> {
    if (row.session.status === 'complete') return row.session;
    const key = row.storageKey;
    const [bodyBytes, indexBytes] = await this.d.store.locked(key, () => Promise.all([this.d.store.size(key, 'body'), this.d.store.size(key, 'index')]));
    return { ...row.session, bodyBytes, indexBytes };
  }

  private ownerOnly(p: Principal, s: Session): void {
    if (s.user !== p.subject) throw forbidden(`session ${s.id} belongs to someone else`);
  }

  private readable(p: Principal, s: Session): void {
    if (s.user !== p.subject && !p.canApprove) throw forbidden("only administrators (a role that approves others) may open other people's sessions");
  }
}

function fromRow(r: Row): SessionRow {
  const kind = strOf(r.kind);
  const status = strOf(r.status);
  return {
    storageKey: strOf(r.storage_key),
    session: {
      id: strOf(r.id),
      user: strOf(r.user_id),
      userName: strOf(r.user_name),
      connectionId: strOf(r.connection_id),
      kind: kind === 'sql' || kind === 'agent' ? kind : 'terminal',
      detail: strOrNull(r.detail),
      startedAt: isoOf(r.started_at),
      endedAt: isoOrNull(r.ended_at),
      status: status === 'complete' ? 'complete' : 'uploading',
      bodyBytes: intOf(r.body_bytes),
      indexBytes: intOf(r.index_bytes),
      bodySha256: strOrNull(r.body_sha256),
      indexSha256: strOrNull(r.index_sha256),
      events: intOrNull(r.events),
      sealed: r.sealed === null || r.sealed === undefined ? null : Boolean(r.sealed),
      head: strOrNull(r.head),
      counts: { blocked: intOf(r.blocked_count), held: intOf(r.held_count), approved: intOf(r.approved_count), masked: intOf(r.masked_count) },
      createdAt: isoOf(r.created_at),
      completedAt: isoOrNull(r.completed_at),
    },
  };
}

