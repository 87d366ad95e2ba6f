import type { ApprovalRequest, ApprovalStatus } from '@gatehouse/gateway-core';
import type { StoredRequest } from './approval-store.js';

/** The status as of `now`: a pending request past its expiry is expired, swept or not. */
export function effectiveStatus(r: StoredRequest, now: Date): ApprovalStatus {
  return r.status === 'pending' && Date.parse(r.expiresAt) <= now.getTime() ? 'expired' : r.status;
}

/**
 * What `viewer` may see of a request. The grant is a capability: only its requester gets it,
 * and only while the request is approved and the grant unexpired. Everyone else (approvers,
 * SSE broadcasts to deciders) sees `grant: null`.
 */
export function viewOf(r: StoredRequest, viewer: string | null, now: Date): ApprovalRequest {
  const status = effectiveStatus(r, now);
  const grantLive = status === 'approved' && r.grantToken !== null && r.grantExpiresAt !== null && Date.parse(r.grantExpiresAt) > now.getTime();
  return {
    id: r.id,
    kind: r.kind,
    status,
    connectionId: r.connectionId,
    requester: r.requester,
    requesterName: r.requesterName,
    requesterRole: r.requesterRole,
    action: r.action,
    actionHash: r.actionHash,
    actionClass: r.actionClass,
    rule: r.rule,
    durationMinutes: r.durationMinutes,
    justification: r.justification,
    requiredApprovals: r.requiredApprovals,
    decisions: r.decisions,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    // An expired-but-unswept request reports its expiry as the moment it was decided.
    decidedAt: r.decidedAt ?? (status === 'expired' ? r.expiresAt : null),
    usedAt: r.usedAt,
    grant: viewer === r.requester && grantLive ? { token: r.grantToken as string, expiresAt: r.grantExpiresAt as string } : null,
  };
}
