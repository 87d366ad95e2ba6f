/**
 * The audit trail: every create, decision, cancel, expiry, consume and policy change. Events are
 * written inside the same transaction as the change they describe, so a change is never
 * recorded without its event nor the other way round. The table refuses UPDATE and DELETE.
 */
import type { AuditEvent } from '@gatehouse/gateway-core';
import type { Queryable } from '../storage/database.js';
import { intOf, isoOf, jsonOf, strOf, strOrNull } from '../storage/rows.js';

export type AuditType =
  | 'policy.seeded'
  | 'policy.updated'
  | 'approval.created'
  | 'approval.approve'
  | 'approval.deny'
  | 'approval.approved'
  | 'approval.cancelled'
  | 'approval.expired'
  | 'grant.consumed'
  | 'grant.consume_refused'
  | 'session.uploaded'
  | 'session.replay_opened'
  | 'service_identity.created'
  | 'service_identity.revoked';

export interface NewAuditEvent {
  at: Date;
  type: AuditType;
  actor: string;
  requestId?: string | null;
  connectionId?: string | null;
  detail?: Record<string, unknown>;
}

export async function appendAudit(tx: Queryable, e: NewAuditEvent): Promise<void> {
  await tx.query(
    `INSERT INTO audit_events (at, type, actor, request_id, connection_id, detail)
     VALUES ($1::timestamptz, $2, $3, $4, $5, $6::jsonb)`,
    [e.at.toISOString(), e.type, e.actor, e.requestId ?? null, e.connectionId ?? null, JSON.stringify(e.detail ?? {})],
  );
}

export interface AuditFilter {
  type?: string;
  actor?: string;
  requestId?: string;
  connectionId?: string;
  since?: string;
  until?: string;
  limit?: number;
  /** When set, only events this person made, or that concern their own requests. */
  visibleTo?: string;
}

export async function queryAudit(db: Queryable, f: AuditFilter): Promise<AuditEvent[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.type) add((p) => `type = ${p}`, f.type);
  if (f.actor) add((p) => `actor = ${p}`, f.actor);
  if (f.requestId) add((p) => `request_id = ${p}`, f.requestId);
  if (f.connectionId) add((p) => `connection_id = ${p}`, f.connectionId);
  if (f.since) add((p) => `at >= ${p}::timestamptz`, f.since);
  if (f.until) add((p) => `at < ${p}::timestamptz`, f.until);
  if (f.visibleTo) add((p) => `(actor = ${p} OR request_id IN (SELECT id FROM approval_requests WHERE requester = ${p}))`, f.visibleTo);
  params.push(f.limit ?? 200);
  const rows = await db.query(
    `SELECT id, at, type, actor, request_id, connection_id, detail FROM audit_events
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    id: intOf(r.id),
    at: isoOf(r.at),
    type: strOf(r.type),
    actor: strOf(r.actor),
    requestId: strOrNull(r.request_id),
    connectionId: strOrNull(r.connection_id),
    detail: (jsonOf(r.detail) ?? {}) as Record<string, unknown>,
  }));
}
