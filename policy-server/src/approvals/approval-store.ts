/**
 * SQL for approval requests and their decisions. Rows are read into StoredRequest, the server's
 * full view (grant token and all); approval-view.ts turns one into what a given caller may see.
 */
import type { ApprovalDecision, ApprovalKind, ApprovalStatus } from '@gatehouse/gateway-core';
import type { Queryable, Row } from '../storage/database.js';
import { intOf, intOrNull, isoOf, isoOrNull, strOf, strOrNull } from '../storage/rows.js';

export interface StoredRequest {
  id: string;
  kind: ApprovalKind;
  /** As stored; a pending request past expiresAt is expired even before the sweeper runs. */
  status: ApprovalStatus;
  connectionId: string;
  requester: string;
  requesterName: string;
  requesterRole: string;
  action: string | null;
  actionHash: string | null;
  actionClass: string | null;
  rule: string | null;
  durationMinutes: number | null;
  justification: string;
  requiredApprovals: number;
  policyVersion: number;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  usedAt: string | null;
  grantId: string | null;
  grantToken: string | null;
  grantExpiresAt: string | null;
  decisions: ApprovalDecision[];
}

export type NewRequest = Omit<StoredRequest, 'status' | 'decidedAt' | 'usedAt' | 'grantId' | 'grantToken' | 'grantExpiresAt' | 'decisions'>;

/** The status a reader sees: pending turns into expired at expiresAt, sweeper or not. */
export const EFFECTIVE_STATUS = (now: string): string => `(CASE WHEN r.status = 'pending' AND r.expires_at <= ${now}::timestamptz THEN 'expired' ELSE r.status END)`;

const COLUMNS = `r.id, r.kind, r.status, r.connection_id, r.requester, r.requester_name, r.requester_role, r.action,
  r.action_hash, r.action_class, r.rule, r.duration_minutes, r.justification, r.required_approvals, r.policy_version,
  r.created_at, r.expires_at, r.decided_at, r.used_at, r.grant_id, r.grant_token, r.grant_expires_at`;

export async function insertRequest(tx: Queryable, r: NewRequest): Promise<void> {
  await tx.query(
    `INSERT INTO approval_requests (id, kind, status, connection_id, requester, requester_name, requester_role, action,
       action_hash, action_class, rule, duration_minutes, justification, required_approvals, policy_version, created_at, expires_at)
     VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::timestamptz, $16::timestamptz)`,
    [r.id, r.kind, r.connectionId, r.requester, r.requesterName, r.requesterRole, r.action, r.actionHash, r.actionClass, r.rule,
      r.durationMinutes, r.justification, r.requiredApprovals, r.policyVersion, r.createdAt, r.expiresAt],
  );
}

/** One request with its decisions; `forUpdate` locks the row until the transaction ends. */
export async function findRequest(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<StoredRequest | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM approval_requests r WHERE r.id = $1 ${opts.forUpdate ? 'FOR UPDATE' : ''}`, [id]);
  const [found] = await withDecisions(q, rows);
  return found ?? null;
}

/** Requests matching a WHERE clause over `r` (parameters numbered from $1), newest first. */
export async function selectRequests(q: Queryable, where: string, params: readonly unknown[], limit: number): Promise<StoredRequest[]> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM approval_requests r WHERE ${where} ORDER BY r.created_at DESC, r.id LIMIT $${params.length + 1}`,
    [...params, limit],
  );
  return withDecisions(q, rows);
}

export async function insertDecision(tx: Queryable, requestId: string, d: ApprovalDecision): Promise<void> {
  await tx.query(
    `INSERT INTO approval_decisions (request_id, approver, approver_name, decision, reason, decided_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz)`,
    [requestId, d.by, d.byName, d.decision, d.reason, d.at],
  );
}

export interface StatusChange {
  status: ApprovalStatus;
  decidedAt?: string;
  usedAt?: string;
  grant?: { id: string; token: string; expiresAt: string };
}

/** Moves a request on, but only from `from`: a lost race changes nothing and returns false. */
export async function changeStatus(tx: Queryable, id: string, from: ApprovalStatus, change: StatusChange): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE approval_requests SET status = $3,
       decided_at = coalesce($4::timestamptz, decided_at), used_at = coalesce($5::timestamptz, used_at),
       grant_id = coalesce($6, grant_id), grant_token = coalesce($7, grant_token),
       grant_expires_at = coalesce($8::timestamptz, grant_expires_at)
     WHERE id = $1 AND status = $2 RETURNING id`,
    [id, from, change.status, change.decidedAt ?? null, change.usedAt ?? null, change.grant?.id ?? null, change.grant?.token ?? null, change.grant?.expiresAt ?? null],
  );
  return rows.length === 1;
}

/** Marks every pending request past its expiry as expired; returns the ids. */
export async function expireDue(tx: Queryable, now: string): Promise<{ id: string; connectionId: string; expiresAt: string }[]> {
  const rows = await tx.query(
    `UPDATE approval_requests SET status = 'expired', decided_at = expires_at
     WHERE status = 'pending' AND expires_at <= $1::timestamptz RETURNING id, connection_id, expires_at`,
    [now],
  );
  return rows.map((r) => ({ id: strOf(r.id), connectionId: strOf(r.connection_id), expiresAt: isoOf(r.expires_at) }));
}

async function withDecisions(q: Queryable, rows: Row[]): Promise<StoredRequest[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => strOf(r.id));
  const decisionRows = await q.query(
    `SELECT request_id, approver, approver_name, decision, reason, decided_at FROM approval_decisions
     WHERE request_id = ANY($1::text[]) ORDER BY decided_at, approver`,
    [ids],
  );
  const byRequest = new Map<string, ApprovalDecision[]>();
  for (const d of decisionRows) {
    const list = byRequest.get(strOf(d.request_id)) ?? [];
    list.push({ by: strOf(d.approver), byName: strOf(d.approver_name), decision: strOf(d.decision) as ApprovalDecision['decision'], reason: strOf(d.reason), at: isoOf(d.decided_at) });
    byRequest.set(strOf(d.request_id), list);
  }
  return rows.map((r) => ({
    id: strOf(r.id),
    kind: strOf(r.kind) as ApprovalKind,
    status: strOf(r.status) as ApprovalStatus,
    connectionId: strOf(r.connection_id),
    requester: strOf(r.requester),
    requesterName: strOf(r.requester_name),
    requesterRole: strOf(r.requester_role),
    action: strOrNull(r.action),
    actionHash: strOrNull(r.action_hash),
    actionClass: strOrNull(r.action_class),
    rule: strOrNull(r.rule),
    durationMinutes: intOrNull(r.duration_minutes),
    justification: strOf(r.justification),
    requiredApprovals: intOf(r.required_approvals),
    policyVersion: intOf(r.policy_version),
    createdAt: isoOf(r.created_at),
    expiresAt: isoOf(r.expires_at),
    decidedAt: isoOrNull(r.decided_at),
    usedAt: isoOrNull(r.used_at),
    grantId: strOrNull(r.grant_id),
    grantToken: strOrNull(r.grant_token),
    grantExpiresAt: isoOrNull(r.grant_expires_at),
    decisions: byRequest.get(strOf(r.id)) ?? [],
  }));
}
