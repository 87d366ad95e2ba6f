/**
 * Approval requests (invariant 4): create, decide, cancel, consume, expire, and read. Every
 * change happens in one transaction with its audit event, under a row lock, and is pushed to
 * the SSE hub only after it committed. Who may do what comes from the policy in force.
 */
import { randomUUID } from 'node:crypto';
import {
  actionHash,
  approvalRuleFor,
  classifySql,
  decideCommand,
  decideSql,
  isSqlGuardReady,
  mayApprove,
  mayUseConnection,
  type ApprovalListQuery,
  type ApprovalRequest,
  type CreateApprovalRequest,
  type PolicyDocument,
} from '@gatehouse/gateway-core';
import { appendAudit } from '../audit/audit-log.js';
import { decidableRoles, type Principal } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import type { EventHub } from '../events/event-hub.js';
import type { GrantSigner } from '../grants/grant-signer.js';
import { conflict, forbidden, HttpError, notFound } from '../http/http-error.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { Database, Queryable } from '../storage/database.js';
import { changeStatus, EFFECTIVE_STATUS, expireDue, findRequest, insertDecision, insertRequest, selectRequests, type StoredRequest } from './approval-store.js';
import { effectiveStatus, viewOf } from './approval-view.js';

const MINUTE = 60_000;

export interface ApprovalServiceDeps {
  db: Database;
  policy: PolicyService;
  grants: GrantSigner;
  hub: EventHub;
  clock: Clock;
}

export class ApprovalService {
  constructor(private readonly deps: ApprovalServiceDeps) {}

  async create(me: Principal, body: CreateApprovalRequest): Promise<ApprovalRequest> {
    const { version, doc } = this.deps.policy.get();
    // The first of my roles governs, exactly as in gateway-core (effectivePolicy).
    const role = me.roles[0];
    const rolePolicy = role === undefined ? undefined : doc.roles[role];
    if (role === undefined || !rolePolicy) throw forbidden('no policy role applies to you, so you cannot request anything');
    if (!mayUseConnection(rolePolicy, body.connectionId)) throw forbidden(`role "${role}" may not use connection "${body.connectionId}"`);
    const rule = approvalRuleFor(doc, role);
    if (!rule) throw forbidden(`requests made under role "${role}" cannot be approved by anyone (the role has no approval rule)`);

    let action: string | null = null;
    let actionClass: string | null = null;
    let ruleName: string | null = null;
    let durationMinutes: number | null = null;
    if (body.kind === 'access') {
      const abr = rolePolicy.accessByRequest;
      if (!abr || !mayUseConnection({ ...rolePolicy, connections: abr.connections }, body.connectionId)) {
        throw forbidden(`connection "${body.connectionId}" is not opened by access request for role "${role}"`);
      }
      if (body.durationMinutes > abr.maxDurationMinutes) {
        throw forbidden(`access for ${body.durationMinutes} minutes exceeds the policy maximum of ${abr.maxDurationMinutes} minutes`);
      }
      durationMinutes = body.durationMinutes;
    } else {
      action = body.action;
      ruleName = body.rule;
      if (body.kind === 'sql') actionClass = this.checkSql(body.action, body.actionClass, rolePolicy.sql);
      else checkShell(body.action, rolePolicy.shell);
    }

    const now = this.deps.clock.now();
    const id = `r_${randomUUID()}`;
    const stored = await this.deps.db.transaction(async (tx) => {
      await insertRequest(tx, {
        id,
        kind: body.kind,
        connectionId: body.connectionId,
        requester: me.subject,
        requesterName: me.displayName,
        requesterRole: role,
        action,
        // gateway-core sends the text masked (for the approver's eyes) with the hash of the exact
        // text it will run; it checks that hash again before running. Otherwise, hash what came.
        actionHash: body.kind === 'access' ? null : (body.actionHash ?? actionHash(body.kind, body.action)),
        actionClass,
        rule: ruleName,
        durationMinutes,
        justification: body.justification,
        requiredApprovals: rule.required,
        policyVersion: version,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + rule.pendingExpiryMinutes * MINUTE).toISOString(),
      });
      await appendAudit(tx, {
        at: now,
        type: 'approval.created',
        actor: me.subject,
        requestId: id,
        connectionId: body.connectionId,
        detail: { kind: body.kind, role, actionClass, rule: ruleName, durationMinutes, justification: body.justification, requiredApprovals: rule.required },
      });
      return mustFind(tx, id);
    });
    this.publish(stored);
    return viewOf(stored, me.subject, now);
  }

  async decide(me: Principal, id: string, decision: 'approve' | 'deny', reason: string): Promise<ApprovalRequest> {
    const { doc } = this.deps.policy.get();
    const now = this.deps.clock.now();
    const result = await this.deps.db.transaction(async (tx) => {
      const r = await mustFind(tx, id, true);
      if (r.requester === me.subject) throw forbidden('nobody may decide their own request', 'self_approval');
      if (!mayApprove(doc, r.requesterRole, me.roles)) throw forbidden(`you may not decide requests made under role "${r.requesterRole}"`);
      const status = effectiveStatus(r, now);
      if (status !== 'pending') throw conflict(`this request is already ${status}`, 'already_decided');

      // A person counts once. Repeating the same decision (a retried call) changes nothing;
      // reversing it is refused, since others may already have acted on the first.
      const mine = r.decisions.find((d) => d.by === me.subject);
      if (mine) {
        if (mine.decision === decision) return { changed: false, request: r };
        throw conflict(`you already chose to ${mine.decision} this request`);
      }
      const at = now.toISOString();
      await insertDecision(tx, id, { by: me.subject, byName: me.displayName, decision, reason, at });
      const approvals = r.decisions.filter((d) => d.decision === 'approve').length + (decision === 'approve' ? 1 : 0);
      await appendAudit(tx, {
        at: now,
        type: decision === 'approve' ? 'approval.approve' : 'approval.deny',
        actor: me.subject,
        requestId: id,
        connectionId: r.connectionId,
        detail: { reason, approvals, required: r.requiredApprovals, requester: r.requester },
      });

      if (decision === 'deny') {
        await changeStatus(tx, id, 'pending', { status: 'denied', decidedAt: at });
      } else if (approvals >= r.requiredApprovals) {
        await this.grant(tx, r, now, doc);
      }
      return { changed: true, request: await mustFind(tx, id) };
    });
    if (result.changed) this.publish(result.request);
    return viewOf(result.request, me.subject, now);
  }

  async cancel(me: Principal, id: string): Promise<ApprovalRequest> {
    const now = this.deps.clock.now();
    const request = await this.deps.db.transaction(async (tx) => {
      const r = await this.visible(tx, me, id, true);
      if (r.requester !== me.subject) throw forbidden('only the requester can cancel a request');
      const status = effectiveStatus(r, now);
      if (status !== 'pending') throw conflict(`this request is already ${status}`, 'already_decided');
      await changeStatus(tx, id, 'pending', { status: 'cancelled', decidedAt: now.toISOString() });
      await appendAudit(tx, { at: now, type: 'approval.cancelled', actor: me.subject, requestId: id, connectionId: r.connectionId });
      return mustFind(tx, id);
    });
    this.publish(request);
    return viewOf(request, me.subject, now);
  }

  /**
   * gateway-core reports a grant just before running its action. The status moves approved →
   * used under a row lock, so of two concurrent consumes exactly one succeeds.
   */
  async consume(me: Principal, id: string, grantId: string): Promise<ApprovalRequest> {
    const now = this.deps.clock.now();
    let refused: { connectionId: string; code: string } | undefined;
    try {
      const request = await this.deps.db.transaction(async (tx) => {
        const r = await this.visible(tx, me, id, true);
        if (r.requester !== me.subject) throw forbidden('only the requester can use a grant');
        refused = { connectionId: r.connectionId, code: 'conflict' };
        if (r.kind === 'access') throw conflict('access grants are not consumed; they last until they expire');
        if (r.status === 'used') throw conflict(`this grant was already used at ${r.usedAt ?? 'an earlier time'}`, 'grant_used');
        const status = effectiveStatus(r, now);
        if (status !== 'approved') throw conflict(`this request is ${status}, not approved`);
        if (r.grantId !== grantId) throw conflict('this grant does not belong to this request');
        if (r.grantExpiresAt === null || Date.parse(r.grantExpiresAt) <= now.getTime()) throw conflict(`this grant expired at ${r.grantExpiresAt ?? '?'}`, 'grant_expired');
        await changeStatus(tx, id, 'approved', { status: 'used', usedAt: now.toISOString() });
        await appendAudit(tx, { at: now, type: 'grant.consumed', actor: me.subject, requestId: id, connectionId: r.connectionId, detail: { grantId, actionHash: r.actionHash } });
        return mustFind(tx, id);
      });
      this.publish(request);
      return viewOf(request, me.subject, now);
    } catch (err) {
      // A refused consume is a replay or a late run: worth a trace, written after the rollback.
      if (refused && err instanceof HttpError) {
        await appendAudit(this.deps.db, { at: now, type: 'grant.consume_refused', actor: me.subject, requestId: id, connectionId: refused.connectionId, detail: { grantId, code: err.code, message: err.message } });
      }
      throw err;
    }
  }

  async get(me: Principal, id: string): Promise<ApprovalRequest> {
    return viewOf(await this.visible(this.deps.db, me, id), me.subject, this.deps.clock.now());
  }

  async list(me: Principal, q: ApprovalListQuery): Promise<ApprovalRequest[]> {
    const now = this.deps.clock.now();
    const params: unknown[] = [me.subject, decidableRoles(this.deps.policy.get().doc, me.roles), now.toISOString()];
    const mine = `r.requester = $1`;
    const inbox = `(r.requester <> $1 AND r.requester_role = ANY($2::text[]))`;
    const where = [q.scope === 'mine' ? mine : q.scope === 'inbox' ? inbox : `(${mine} OR ${inbox})`];
    const add = (sql: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.status) add((p) => `${EFFECTIVE_STATUS('$3')} = ${p}`, q.status);
    if (q.requester) add((p) => `r.requester = ${p}`, q.requester);
    if (q.connectionId) add((p) => `r.connection_id = ${p}`, q.connectionId);
    // $2 and $3 are referenced only by the inbox clause and the status filter; keep their types
    // known when they are not used (PostgreSQL cannot infer an unreferenced parameter's type).
    if (q.scope === 'mine') where.push(`$2::text[] IS NOT NULL`);
    if (!q.status) where.push(`$3::timestamptz IS NOT NULL`);
    const rows = await selectRequests(this.deps.db, where.join(' AND '), params, q.limit ?? 100);
    return rows.map((r) => viewOf(r, me.subject, now));
  }

  /** My approved access requests whose time has not run out. */
  async activeAccess(me: Principal): Promise<ApprovalRequest[]> {
    const now = this.deps.clock.now();
    const rows = await selectRequests(
      this.deps.db,
      `r.requester = $1 AND r.kind = 'access' AND r.status = 'approved' AND r.grant_expires_at > $2::timestamptz`,
      [me.subject, now.toISOString()],
      500,
    );
    return rows.map((r) => viewOf(r, me.subject, now));
  }

  /** Marks pending requests past their expiry as expired, with audit and SSE. Returns the count. */
  async sweep(): Promise<number> {
    const now = this.deps.clock.now();
    const expired = await this.deps.db.transaction(async (tx) => {
      const due = await expireDue(tx, now.toISOString());
      for (const d of due) {
        await appendAudit(tx, { at: now, type: 'approval.expired', actor: 'system', requestId: d.id, connectionId: d.connectionId, detail: { expiresAt: d.expiresAt } });
      }
      return due.length === 0 ? [] : selectRequests(tx, `r.id = ANY($1::text[])`, [due.map((d) => d.id)], due.length);
    });
    for (const r of expired) this.publish(r);
    return expired.length;
  }

  /** Enough approvals: mint the grant and move the request to approved (inside the caller's tx). */
  private async grant(tx: Queryable, r: StoredRequest, now: Date, doc: PolicyDocument): Promise<void> {
    const rule = approvalRuleFor(doc, r.requesterRole);
    const minutes = r.kind === 'access' ? (r.durationMinutes ?? 0) : (rule?.grantExpiryMinutes ?? 15);
    // Whole seconds, so the stored expiry equals the token's `exp` exactly.
    const expiresAt = new Date(Math.floor((now.getTime() + minutes * MINUTE) / 1000) * 1000);
    const minted = await this.deps.grants.mint(
      { requester: r.requester, requestId: r.id, kind: r.kind, actionHash: r.actionHash, connectionId: r.connectionId },
      now,
      expiresAt,
    );
    await changeStatus(tx, r.id, 'pending', {
      status: 'approved',
      decidedAt: now.toISOString(),
      grant: { id: minted.id, token: minted.token, expiresAt: expiresAt.toISOString() },
    });
    await appendAudit(tx, {
      at: now,
      type: 'approval.approved',
      actor: 'system',
      requestId: r.id,
      connectionId: r.connectionId,
      detail: { grantId: minted.id, grantExpiresAt: expiresAt.toISOString(), kind: r.kind, actionHash: r.actionHash },
    });
  }

  /**
   * The server re-checks a statement's class itself (defence in depth): a client that calls a
   * DROP a "write" does not get it past a role whose policy denies dangerous SQL, and the
   * approver sees the class the server found. Without the parser loaded, the client's class
   * stands, and gateway-core still classifies before it runs anything.
   */
  private checkSql(text: string, claimed: string, policy: Parameters<typeof decideSql>[1]): string {
    if (!isSqlGuardReady()) return claimed;
    const decision = decideSql(classifySql(text), policy);
    if (decision.action === 'deny') throw forbidden(`policy denies this statement: ${decision.reason}`);
    return decision.class ?? claimed;
  }

  /** The request if `me` may see it (requester, or someone who may decide it); else 404. */
  private async visible(q: Queryable, me: Principal, id: string, forUpdate = false): Promise<StoredRequest> {
    const r = await mustFind(q, id, forUpdate);
    if (r.requester === me.subject || mayApprove(this.deps.policy.get().doc, r.requesterRole, me.roles)) return r;
    throw notFound(`no approval request "${id}"`);
  }

  private publish(r: StoredRequest): void {
    this.deps.hub.publishApproval(this.deps.policy.get().doc, viewOf(r, r.requester, this.deps.clock.now()));
  }
}

/**
 * The shell counterpart of checkSql: a line that a rule of the role denies outright is refused
 * here too. Only a definite rule match counts: without the session's working directory the
 * server cannot judge cwd-relative rules, and gateway-core (which can) has decided those.
 */
function checkShell(line: string, policy: Parameters<typeof decideCommand>[1]): void {
  const decision = decideCommand(line, policy);
  if (decision.action === 'deny' && decision.basis === 'rule') throw forbidden(`policy denies this command line: ${decision.reason}${decision.rule ? ` [rule ${decision.rule}]` : ''}`);
}

async function mustFind(q: Queryable, id: string, forUpdate = false): Promise<StoredRequest> {
  const r = await findRequest(q, id, { forUpdate });
  if (!r) throw notFound(`no approval request "${id}"`);
  return r;
}
