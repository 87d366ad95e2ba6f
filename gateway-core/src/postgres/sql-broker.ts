/**
 * The SQL session broker: who may open what, the guard's decision before anything runs, masking
 * of everything that leaves (rows, errors, notices, refusals, history, CSV), and the sessions.
 *
 * Policy is read on every call, not at open: a policy update (or an identity switch) applies to
 * the next statement of an open tab.
 */
import { randomUUID } from 'node:crypto';
import { actionHash } from '../approvals/action-hash.js';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { GatewayServices } from '../bridge/handler-deps.js';
import type { PostgresConnectionConfig } from '../connections/connection-config.js';
import type { Identity } from '../contract/bridge-contract.js';
import type { SqlHistoryEntry, SqlPage, SqlRefusal, SqlRunResult, SqlSchema } from '../contract/sql-schemas.js';
import type { Masker } from '../masking/index.js';
import { RoleMaskers } from '../policy/role-maskers.js';
import { effectivePolicy, mayUseConnection } from '../policy/effective-policy.js';
import type { RolePolicy } from '../policy/policy-document.js';
import type { SqlClass } from '../policy/sql/index.js';
import { NOT_RECORDED, type SqlRecorder } from '../recording/sql-recorder.js';
import { csvLine, csvRows } from './csv.js';
import { introspectSchema } from './schema-introspection.js';
import { SqlHistory } from './sql-history.js';
import { SqlSession, type Access, type RunContext } from './sql-session.js';
import { planRun } from './statement-plan.js';
import { connectUpstream } from './upstream.js';

export type BrokerDeps = Pick<GatewayServices, 'registry' | 'secrets' | 'identity' | 'policy' | 'logger' | 'accessGate' | 'recordings'>;

/** A held write, once an admin approved it and its grant was verified (approvals/). */
export interface WriteApproval {
  /** actionHash('sql', text) of the exact statement text that was approved. */
  statementHash: string;
  connectionId: string;
  requesterId: string;
  expiresAt: Date;
  /** Marks the approval used; false when it was already used (single use, invariant 4). */
  consume(): Promise<boolean>;
  /** The approval request's id, for the recording. */
  requestId?: string;
}

export interface BrokerOptions {
  /** Rows in the first page of a result. */
  pageSize?: number;
  /** Close results nobody fetched from for this long. */
  idleCursorMs?: number;
  maxSessionsPerIdentity?: number;
}

/** What approvals/ needs to know of a statement held for approval. */
export interface HeldStatement {
  connectionId: string;
  owner: Identity;
  class: SqlClass;
  rule: string;
  reason: string;
}

interface SessionEntry {
  session: SqlSession;
  prepared: Map<string, SqlClass>;
  owner: Identity;
  /** Requests waiting on this session; while any is open, an identity switch keeps it. */
  holds: number;
  /** The session's recording (when recording is on). */
  recorder?: SqlRecorder;
  /** Recording stopped (spool full, disk error): under the 'refuse' policy nothing more runs. */
  recordingStopped?: boolean;
}

interface Caller {
  identity: Identity;
  identityId: string;
  policy: RolePolicy;
  masker: Masker;
}

const HISTORY_TEXT_LIMIT = 20_000;
const SCHEMA_CACHE_MS = 30_000;
const EXPORT_PAGE = 1_000;

export class SqlBroker {
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly history = new SqlHistory();
  private readonly maskers = new RoleMaskers();
  private readonly schemaCache = new Map<string, { at: number; schema: Promise<SqlSchema> }>();
  private readonly pageSize: number;
  private readonly idleCursorMs: number;
  private readonly maxSessions: number;

  constructor(
    private readonly deps: BrokerDeps,
    options: BrokerOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.idleCursorMs = options.idleCursorMs ?? 120_000;
    this.maxSessions = options.maxSessionsPerIdentity ?? 32;
  }

  async open(connectionId: string): Promise<{ sessionId: string }> {
    const caller = this.caller();
    const config = this.connection(caller, connectionId);
    const owned = [...this.sessions.values()].filter((s) => s.session.ownerId === caller.identityId).length;
    if (owned >= this.maxSessions) throw new GatehouseError('unavailable', `At most ${this.maxSessions} SQL sessions may be open at once; close a tab first`);
    const session = this.newSession(config, caller);
    const entry: SessionEntry = { session, prepared: new Map(), owner: caller.identity, holds: 0 };
    // Recorded from the start; this throws (and nothing connects) when the session cannot be recorded.
    const recorder = this.deps.recordings?.sql({
      sessionId: session.id,
      user: caller.identityId,
      connectionId: config.id,
      onStopped: () => (entry.recordingStopped = true),
    });
    if (recorder) entry.recorder = recorder;
    try {
      await session.start();
    } catch (err) {
      await recorder?.close();
      throw err;
    }
    this.sessions.set(session.id, entry);
    return { sessionId: session.id };
  }

  run(sessionId: string, text: string): Promise<SqlRunResult> {
    return this.execute(sessionId, text, null);
  }

  /**
   * What the guard says of a statement the caller wants approved, in one of their sessions. Only a
   * text whose decision is 'approve' can be sent for approval; 'allow' just runs and 'deny' never.
   */
  describeHeld(sessionId: string, text: string): HeldStatement {
    const entry = this.owned(sessionId);
    const caller = this.caller();
    const config = this.connection(caller, entry.session.connectionId);
    const plan = planRun(text, caller.policy.sql, (name) => entry.prepared.get(name));
    if (plan.kind === 'refused') throw new GatehouseError('forbidden', `This statement is refused, not approvable: ${this.maskRefusal(caller, plan.refusal).reason}`);
    if (plan.action !== 'approve') throw new GatehouseError('invalid_input', 'This statement needs no approval; run it directly');
    return { connectionId: config.id, owner: entry.owner, class: plan.class, rule: plan.rule, reason: this.maskRefusal(caller, plan.refusalIfNotApproved!).reason };
  }

  /** Keeps a session open across identity switches while a request waits on it. */
  hold(sessionId: string, delta: 1 | -1): void {
    const entry = this.sessions.get(sessionId);
    if (entry) entry.holds = Math.max(0, entry.holds + delta);
  }

  /** Whether the session is still open (the tab may have closed while a request waited). */
  isOpen(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  /**
   * Runs a held write once its grant is verified, as the session's owner (the requester), who
   * may not be the identity in front of the demo app when the approval arrives.
   */
  runApproved(sessionId: string, text: string, approval: WriteApproval): Promise<SqlRunResult> {
    const entry = this.sessions.get(sessionId);
    if (!entry) throw new GatehouseError('not_found', 'The tab that held this statement is closed; nothing ran');
    return this.execute(sessionId, text, approval, entry.owner);
  }

  async fetch(queryId: string, maxRows: number | undefined): Promise<SqlPage> {
    const entry = this.sessions.get(queryId.slice(0, queryId.lastIndexOf('.')));
    const caller = this.caller();
    if (!entry || entry.session.ownerId !== caller.identityId) throw new GatehouseError('not_found', 'No such result');
    this.connection(caller, entry.session.connectionId);
    return entry.session.fetch(queryId, Math.min(maxRows ?? this.pageSize, caller.policy.limits.maxRows));
  }

  async cancel(sessionId: string): Promise<{ cancelled: boolean }> {
    const entry = this.owned(sessionId);
    entry.recorder?.cancel();
    return { cancelled: await entry.session.cancel() };
  }

  async close(sessionId: string): Promise<{ closed: boolean }> {
    const entry = this.owned(sessionId);
    this.sessions.delete(sessionId);
    await closeEntry(entry);
    return { closed: true };
  }

  async schema(connectionId: string): Promise<SqlSchema> {
    const caller = this.caller();
    const config = this.connection(caller, connectionId);
    const cached = this.schemaCache.get(connectionId);
    if (cached && Date.now() - cached.at < SCHEMA_CACHE_MS) return cached.schema;
    const schema = (async () => {
      const upstream = await connectUpstream(this.upstreamOptions(config, caller));
      try {
        return await introspectSchema(upstream.client, caller.policy.limits.statementTimeoutMs);
      } catch (err) {
        throw new GatehouseError('unavailable', `Reading the schema of ${config.name} failed (${String((err as { code?: unknown }).code ?? 'error').slice(0, 20)})`);
      } finally {
        await upstream.client.end().catch(() => undefined);
      }
    })();
    this.schemaCache.set(connectionId, { at: Date.now(), schema });
    schema.catch(() => this.schemaCache.delete(connectionId));
    return schema;
  }

  historyFor(filter: { connectionId?: string; limit?: number }): SqlHistoryEntry[] {
    return this.history.list(this.caller().identityId, filter);
  }

  /**
   * The statement's (last) result as CSV, masked, up to the role's row cap. It runs on a
   * short-lived session of its own so that the tab's open result is left alone.
   */
  async exportCsv(sessionId: string, text: string): Promise<{ fileName: string; csv: string; rowCount: number; capped: boolean }> {
    const entry = this.owned(sessionId);
    const caller = this.caller();
    const config = this.connection(caller, entry.session.connectionId);
    const temp = this.newSession(config, caller);
    try {
      this.requireRecording(entry);
      const plan = planRun(text, caller.policy.sql);
      const rec = entry.recorder?.begin(text, caller.masker, 'export') ?? NOT_RECORDED;
      if (plan.kind === 'refused' || plan.action === 'approve') {
        const refusal = plan.kind === 'refused' ? plan.refusal : plan.refusalIfNotApproved!;
        rec.decision({ action: refusal.action, class: refusal.class, rule: refusal.rule, reason: refusal.reason });
        this.record(caller, config.id, text, 'refused', null);
        throw new GatehouseError('forbidden', `Export refused: ${this.maskRefusal(caller, refusal).reason}`);
      }
      rec.decision({ action: 'allow', class: plan.class, rule: plan.rule, reason: plan.reason });
      const started = performance.now();
      const exported = await temp.run(plan.statements, this.runContext(caller, 'read-only', EXPORT_PAGE));
      const last = exported.results[exported.results.length - 1];
      this.record(caller, config.id, text, last?.status ?? 'done', last && 'rowCount' in last ? last.rowCount : null);
      if (!last || last.status === 'done') return { fileName: fileName(config.id), csv: '', rowCount: 0, capped: false };
      if (last.status === 'error') throw new GatehouseError('invalid_input', `Export failed: ${last.error.message}`);
      if (last.status !== 'rows') throw new GatehouseError('unavailable', 'Export was cancelled');
      let csv = csvLine(last.columns.map((c) => c.name)) + csvRows(last.rows);
      let rowCount = last.rows.length;
      let capped = last.capped;
      let hasMore = last.hasMore;
      while (hasMore) {
        const page = await temp.fetch(last.queryId, EXPORT_PAGE);
        csv += csvRows(page.rows);
        rowCount = page.rowCount;
        capped = page.capped;
        hasMore = page.hasMore;
      }
      // The CSV itself is not recorded again (a run in the editor records its first rows); its row count is.
      rec.result({ results: [{ status: 'done', command: 'CSV export', rowCount, durationMs: performance.now() - started }], notices: [] });
      return { fileName: fileName(config.id), csv, rowCount, capped };
    } finally {
      await temp.close();
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(all.map(closeEntry));
  }

  /** Closes an identity's sessions on a connection (its access expired); returns how many. */
  async closeFor(connectionId: string, identityId: string): Promise<number> {
    const doomed = [...this.sessions.entries()].filter(([, e]) => e.session.connectionId === connectionId && e.session.ownerId === identityId);
    for (const [id] of doomed) this.sessions.delete(id);
    await Promise.allSettled(doomed.map(([, e]) => closeEntry(e)));
    return doomed.length;
  }

  /** Closes sessions that belong to anyone but `identityId` (after an identity switch), unless held. */
  async closeOthers(identityId: string | null): Promise<void> {
    const stale = [...this.sessions.entries()].filter(([, e]) => e.session.ownerId !== identityId && e.holds === 0);
    for (const [id] of stale) this.sessions.delete(id);
    await Promise.allSettled(stale.map(([, e]) => closeEntry(e)));
  }

  // --- internals -------------------------------------------------------------------------------

  private async execute(sessionId: string, text: string, approval: WriteApproval | null, as?: Identity): Promise<SqlRunResult> {
    const entry = as ? this.sessions.get(sessionId)! : this.owned(sessionId);
    const caller = this.caller(as);
    const config = this.connection(caller, entry.session.connectionId);
    this.requireRecording(entry);
    const plan = planRun(text, caller.policy.sql, (name) => entry.prepared.get(name));
    let access: Access = 'read-only';
    // The recording gets the statement and the decision before anything runs, then the outcome.
    const rec = entry.recorder?.begin(text, caller.masker, approval ? 'approval' : 'editor') ?? NOT_RECORDED;
    if (plan.kind === 'refused' || (plan.action === 'approve' && !approval)) {
      const refusal = this.maskRefusal(caller, plan.kind === 'refused' ? plan.refusal : plan.refusalIfNotApproved!);
      rec.decision({ action: refusal.action, class: refusal.class, rule: refusal.rule, reason: refusal.reason });
      this.record(caller, config.id, text, 'refused', null);
      return { results: [{ status: 'refused', refusal }], notices: [] };
    }
    if (approval) {
      try {
        await verifyApproval(approval, { text, connectionId: config.id, requesterId: caller.identityId });
      } catch (err) {
        rec.decision({ action: 'deny', class: plan.class, rule: plan.rule, reason: `approval not accepted: ${err instanceof Error ? err.message : 'invalid'}`, ...(approval.requestId ? { approvalId: approval.requestId } : {}) });
        throw err;
      }
      access = 'approved-write';
    }
    rec.decision({ action: approval ? 'approved' : 'allow', class: plan.class, rule: plan.rule, reason: plan.reason, ...(approval?.requestId ? { approvalId: approval.requestId } : {}) });
    let run: SqlRunResult;
    try {
      run = await entry.session.run(plan.statements, this.runContext(caller, access, this.pageSize), (s) => {
        if (s.prepared) entry.prepared.set(s.prepared.name, s.prepared.class);
      });
    } catch (err) {
      rec.error(err instanceof GatehouseError ? err.message : 'the statement failed (see the Gatehouse log)');
      throw err;
    }
    rec.result(run);
    const last = run.results[run.results.length - 1];
    this.record(caller, config.id, text, last?.status ?? 'done', last && 'rowCount' in last ? last.rowCount : null);
    return run;
  }

  /** Under the spool's 'refuse' policy a session whose recording stopped runs nothing more. */
  private requireRecording(entry: SessionEntry): void {
    if (entry.recordingStopped && this.deps.recordings?.closesUnrecorded) {
      throw new GatehouseError('unavailable', 'Recording of this session stopped (the recording spool is full or not writable), so nothing more runs in it; close the tab');
    }
  }

  private runContext(caller: Caller, access: Access, pageSize: number): RunContext {
    const { maxRows, statementTimeoutMs } = caller.policy.limits;
    return { masker: caller.masker, maxRows, statementTimeoutMs, access, pageSize };
  }

  private newSession(config: PostgresConnectionConfig, caller: Caller): SqlSession {
    // The session reconnects with the limits in force when it (re)connects; each run sets its own.
    return new SqlSession(randomUUID(), config.id, caller.identityId, () => connectUpstream(this.upstreamOptions(config, caller)), this.deps.logger, this.idleCursorMs);
  }

  private upstreamOptions(config: PostgresConnectionConfig, caller: Caller): Parameters<typeof connectUpstream>[0] {
    return { config, secrets: this.deps.secrets, identityId: caller.identityId, statementTimeoutMs: caller.policy.limits.statementTimeoutMs };
  }

  private caller(as?: Identity): Caller {
    const identity = as ?? this.deps.identity.current();
    if (!identity) throw new GatehouseError('forbidden', 'Sign in to use the SQL editor');
    const { policy } = effectivePolicy(this.deps.policy.current(), identity);
    return { identity, identityId: identity.id, policy, masker: this.maskers.for(policy) };
  }

  private connection(caller: Caller, connectionId: string): PostgresConnectionConfig {
    if (!mayUseConnection(caller.policy, connectionId)) {
      throw new GatehouseError('forbidden', `Your role may not use the connection "${connectionId}"`);
    }
    const config = this.deps.registry.get(connectionId);
    if (!config) {
      const pending = this.deps.registry.list().find((c) => c.id === connectionId);
      if (pending) throw new GatehouseError('unavailable', `The connection "${connectionId}" is ${pending.status === 'starting' ? 'still starting' : 'unavailable'}`);
      throw new GatehouseError('not_found', `No connection "${connectionId}"`);
    }
    if (config.type !== 'postgres') throw new GatehouseError('invalid_input', `"${connectionId}" is not a PostgreSQL connection`);
    this.deps.accessGate?.check(connectionId, caller.identity);
    return config;
  }

  private owned(sessionId: string): SessionEntry {
    const entry = this.sessions.get(sessionId);
    // Another identity's session is reported as missing, not forbidden: its existence is private.
    if (!entry || entry.session.ownerId !== this.caller().identityId) throw new GatehouseError('not_found', 'No such SQL session');
    return entry;
  }

  private maskRefusal(caller: Caller, refusal: SqlRefusal): SqlRefusal {
    // The reason quotes the triggering part of the statement, which may hold a value.
    return { ...refusal, reason: caller.masker.maskText(refusal.reason).text };
  }

  private record(caller: Caller, connectionId: string, text: string, outcome: SqlHistoryEntry['outcome'], rowCount: number | null): void {
    let masked: string;
    try {
      masked = caller.masker.maskText(text.length > HISTORY_TEXT_LIMIT ? `${text.slice(0, HISTORY_TEXT_LIMIT)}…` : text).text;
    } catch {
      masked = '(statement withheld: masking failed)';
    }
    this.history.add(caller.identityId, { connectionId, text: masked, outcome, rowCount });
  }
}

/** Closes a session's upstream and seals its recording. */
async function closeEntry(entry: SessionEntry): Promise<void> {
  await Promise.allSettled([entry.session.close(), entry.recorder?.close()]);
}

async function verifyApproval(approval: WriteApproval, action: { text: string; connectionId: string; requesterId: string }): Promise<void> {
  const hash = actionHash('sql', action.text);
  if (approval.statementHash !== hash || approval.connectionId !== action.connectionId || approval.requesterId !== action.requesterId) {
    throw new GatehouseError('forbidden', 'The approval is for a different statement, connection or requester');
  }
  if (approval.expiresAt.getTime() <= Date.now()) throw new GatehouseError('forbidden', 'The approval has expired');
  if (!(await approval.consume())) throw new GatehouseError('forbidden', 'The approval was already used');
}

function fileName(connectionId: string): string {
  return `${connectionId}-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`;
}
