/**
 * The approval loop on the app's side (issue 5): sends held actions to the policy server, follows
 * their fate over its event stream, and runs an approved action exactly once, after checking its
 * grant. A server that cannot be reached means the action waits; it never means it runs.
 */
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { GatewayServices } from '../bridge/handler-deps.js';
import type { ApprovalRequestInput, ApprovalView, PolicyServerStatus } from '../contract/approvals-schemas.js';
import type { Identity } from '../contract/bridge-contract.js';
import type { Masker } from '../masking/index.js';
import { RoleMaskers } from '../policy/role-maskers.js';
import { effectivePolicy } from '../policy/effective-policy.js';
import { parsePolicyYaml } from '../policy/load-policy.js';
import type { SqlBroker } from '../postgres/sql-broker.js';
import type { TerminalControl } from '../ssh/terminal-handlers.js';
import type { ConnectionAccessGate } from './access-gate.js';
import { actionHash } from './action-hash.js';
import type { GrantVerifier } from './grant-verifier.js';
import type { ApprovalListQuery, ApprovalRequest, ServerEvent } from './policy-server-api.js';
import type { PolicyServerClient } from './policy-server-client.js';

type Deps = Pick<GatewayServices, 'identity' | 'policy' | 'events' | 'logger'>;

/**
 * An action held outside the editor and the terminal (an AI agent's tool call): the service
 * checks its grant like any other, then hands over to `execute`, which must spend the grant
 * (directly, or through the broker's WriteApproval) before it runs anything.
 */
export interface HeldAction {
  kind: 'sql' | 'shell';
  connectionId: string;
  /** The exact text that runs; the approvers see it masked. */
  text: string;
  actionClass?: 'read' | 'write' | 'dangerous';
  rule: string;
  justification: string;
  owner: Identity;
  execute(grant: ActionGrant): Promise<void>;
  /** The request ended: 'ran', or why nothing ran (denied, expired, cancelled, not runnable). */
  settled(requestId: string, outcome: string): void;
}

export interface ActionGrant {
  requestId: string;
  expiresAt: Date;
  /** Spends the grant on the policy server, then here; false when it was already used. */
  spend(): Promise<boolean>;
}

type State = 'waiting' | 'running' | 'done';

/** A held action of this app, by request id: what to run once approved, and where. */
type LocalAction =
  | { kind: 'sql'; sessionId: string; text: string; owner: Identity; state: State }
  | { kind: 'shell'; terminalId: string; heldId: string; line: string; owner: Identity; state: State }
  | { kind: 'held'; action: HeldAction; owner: Identity; state: State };

export interface ApprovalServiceOptions {
  client: PolicyServerClient;
  verifier: GrantVerifier;
  gate: ConnectionAccessGate;
  /** An access grant arrived or ended: connection summaries changed. */
  onAccessChanged: () => void;
}

export class ApprovalService {
  private readonly local = new Map<string, LocalAction>();
  private readonly known = new Map<string, ApprovalRequest>();
  private readonly outcomes = new Map<string, string>();
  private readonly maskers = new RoleMaskers();
  private statusNow: PolicyServerStatus = { state: 'connecting' };
  private policyVersion = 0;
  private broker: SqlBroker | null = null;
  private terminals: TerminalControl | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly o: ApprovalServiceOptions,
  ) {}

  /** The features whose held actions this service runs; set once they exist. */
  attach(broker: SqlBroker, terminals: TerminalControl): void {
    this.broker = broker;
    this.terminals = terminals;
  }

  status(): PolicyServerStatus {
    return this.statusNow;
  }

  // ---- bridge methods ----

  async request(input: ApprovalRequestInput): Promise<ApprovalView> {
    const identity = this.identity();
    const masker = this.maskerFor(identity);
    if (input.kind === 'sql') {
      const held = this.need(this.broker).describeHeld(input.sessionId, input.text);
      const req = await this.o.client.createRequest({
        kind: 'sql',
        connectionId: held.connectionId,
        action: masker.maskText(input.text).text,
        actionHash: actionHash('sql', input.text),
        actionClass: held.class,
        rule: held.rule,
        justification: input.justification,
      });
      this.local.set(req.id, { kind: 'sql', sessionId: input.sessionId, text: input.text, owner: held.owner, state: 'waiting' });
      this.broker!.hold(input.sessionId, 1);
      return this.accept(req);
    }
    if (input.kind === 'shell') {
      const held = this.need(this.terminals).heldLine(input.terminalId, input.heldId);
      if (!held || held.owner.id !== identity.id) throw new GatehouseError('not_found', 'That held line is gone (the terminal closed, or it was already sent for approval)');
      const req = await this.o.client.createRequest({
        kind: 'shell',
        connectionId: held.connectionId,
        action: masker.maskText(held.line).text,
        actionHash: actionHash('shell', held.line),
        rule: held.rule ?? 'shell-approve',
        justification: input.justification,
      });
      this.local.set(req.id, { kind: 'shell', terminalId: input.terminalId, heldId: input.heldId, line: held.line, owner: held.owner, state: 'waiting' });
      this.terminals!.announce(input.terminalId, `approval requested (${req.id}); the line runs when an approver allows it`);
      return this.accept(req);
    }
    return this.accept(await this.o.client.createRequest(input));
  }

  /** Sends a held action of another feature (agent tools) for approval; it runs once approved. */
  async requestAction(action: HeldAction): Promise<ApprovalView> {
    const masker = this.maskerFor(action.owner);
    const common = { connectionId: action.connectionId, action: masker.maskText(action.text).text, actionHash: actionHash(action.kind, action.text), rule: action.rule, justification: action.justification };
    if (action.kind === 'sql' && !action.actionClass) throw new GatehouseError('internal', 'A held statement needs its class');
    const req = await this.o.client.createRequest(action.kind === 'sql' ? { kind: 'sql', ...common, actionClass: action.actionClass! } : { kind: 'shell', ...common });
    this.local.set(req.id, { kind: 'held', action, owner: action.owner, state: 'waiting' });
    return this.accept(req);
  }

  /** A request's current state on the server (for a caller polling one it made). */
  async get(requestId: string): Promise<ApprovalView> {
    return this.accept(await this.o.client.getRequest(requestId));
  }

  async list(query: Pick<ApprovalListQuery, 'scope' | 'status'>): Promise<ApprovalView[]> {
    const requests = await this.o.client.listRequests({ ...query, limit: 200 });
    for (const r of requests) this.remember(r);
    return requests.map((r) => this.view(r));
  }

  async decide(requestId: string, decision: 'approve' | 'deny', reason: string): Promise<ApprovalView> {
    this.identity();
    return this.accept(await this.o.client.decide(requestId, decision, reason));
  }

  async cancel(requestId: string): Promise<ApprovalView> {
    this.identity();
    return this.accept(await this.o.client.cancel(requestId));
  }

  // ---- the event stream ----

  async onConnected(): Promise<void> {
    this.o.gate.reachable();
    this.setStatus({ state: 'connected' });
    // Catch up with whatever happened while the stream was down: policy, my requests, access.
    await Promise.allSettled([this.refreshPolicy(), this.catchUp()]);
  }

  onDisconnected(reason: string): void {
    this.o.gate.unreachable();
    const until = this.o.gate.readsAllowedUntil();
    this.setStatus({ state: 'unreachable', detail: reason, ...(until !== null ? { readsAllowedUntil: new Date(until).toISOString() } : {}) });
  }

  onEvent(event: ServerEvent): void {
    this.o.gate.reachable();
    if (event.type === 'policy') void this.refreshPolicy();
    else this.accept(event.request);
  }

  /** The identity changed: what is known belongs to someone else now. */
  forgetViews(): void {
    this.known.clear();
  }

  // ---- internals ----

  private async catchUp(): Promise<void> {
    const [mine, access] = await Promise.all([this.o.client.listRequests({ scope: 'mine', limit: 200 }), this.o.client.activeAccess()]);
    for (const r of [...mine, ...access]) this.accept(r);
  }

  private async refreshPolicy(): Promise<void> {
    try {
      const current = await this.o.client.currentPolicy();
      if (current.version === this.policyVersion) return;
      // Validated whole before it replaces anything; a bad document leaves the old one in force.
      this.deps.policy.replace(parsePolicyYaml(current.yaml, `policy v${current.version}`));
      this.policyVersion = current.version;
      this.deps.logger.info({ version: current.version }, 'policy updated from the policy server');
    } catch (err) {
      this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'policy could not be refreshed; the cached policy stays in force');
    }
  }

  /** Takes a request's newest state: remembers it, tells the UI, and acts on it. */
  private accept(req: ApprovalRequest): ApprovalView {
    const before = this.known.get(req.id);
    this.remember(req);
    const view = this.view(req);
    if (!before || before.status !== req.status || before.decisions.length !== req.decisions.length) this.deps.events.emit('approvals.changed', view);
    if (req.kind === 'access' && req.status === 'approved' && req.grant) void this.grantAccess(req);
    const action = this.local.get(req.id);
    if (action && action.state === 'waiting') {
      if (req.status === 'approved' && req.grant) void this.run(req, action);
      else if (req.status === 'approved') void this.fetchGrantAsOwner(req, action);
      else if (['denied', 'expired', 'cancelled'].includes(req.status)) this.settle(req, action, `${req.status}${reasonOf(req)}; nothing ran`);
    }
    return view;
  }

  /**
   * The grant is shown only to the requester. When someone else is in front of this (demo) app
   * as it arrives, read the request as its owner, where the identity provider allows that.
   */
  private async fetchGrantAsOwner(req: ApprovalRequest, action: LocalAction): Promise<void> {
    if (action.owner.id === this.deps.identity.current()?.id || !this.deps.identity.accessTokenFor) return;
    try {
      const own = await this.o.client.getRequest(req.id, action.owner.id);
      if (own.grant && action.state === 'waiting') void this.run(own, action);
    } catch (err) {
      this.deps.logger.warn({ requestId: req.id, err: err instanceof Error ? err.message : String(err) }, 'could not read the grant as its requester');
    }
  }

  private remember(req: ApprovalRequest): void {
    this.known.set(req.id, req);
  }

  private async run(req: ApprovalRequest, action: LocalAction): Promise<void> {
    action.state = 'running';
    const grant = req.grant!;
    try {
      if (action.kind === 'sql') {
        if (!this.broker?.isOpen(action.sessionId)) throw new GatehouseError('not_found', 'the tab that held the statement is closed; nothing ran');
        const claims = await this.o.verifier.verify(grant.token, { kind: 'sql', action: action.text, connectionId: req.connectionId, requesterId: action.owner.id, requestId: req.id });
        const result = await this.broker.runApproved(action.sessionId, action.text, {
          requestId: req.id,
          statementHash: actionHash('sql', action.text),
          connectionId: req.connectionId,
          requesterId: action.owner.id,
          expiresAt: new Date(claims.exp * 1000),
          consume: () => this.spend(req.id, claims.jti, action.owner.id),
        });
        this.deps.events.emit('approvals.sqlResult', { requestId: req.id, sessionId: action.sessionId, result });
        this.settle(req, action, 'ran');
      } else if (action.kind === 'held') {
        const held = action.action;
        const claims = await this.o.verifier.verify(grant.token, { kind: held.kind, action: held.text, connectionId: req.connectionId, requesterId: action.owner.id, requestId: req.id });
        await held.execute({ requestId: req.id, expiresAt: new Date(claims.exp * 1000), spend: () => this.spend(req.id, claims.jti, action.owner.id) });
        this.settle(req, action, 'ran');
      } else {
        if (!this.terminals?.isOpen(action.terminalId)) throw new GatehouseError('not_found', 'the terminal that held the line is closed; nothing ran');
        const claims = await this.o.verifier.verify(grant.token, { kind: 'shell', action: action.line, connectionId: req.connectionId, requesterId: action.owner.id, requestId: req.id });
        if (!(await this.spend(req.id, claims.jti, action.owner.id))) throw new GatehouseError('forbidden', 'the approval was already used');
        if (!this.terminals.release(action.terminalId, action.heldId)) throw new GatehouseError('not_found', 'the terminal closed before the line could be sent; it did not run');
        this.terminals.announce(action.terminalId, `approved by ${approvers(req)}: sending the held line`);
        this.settle(req, action, 'ran');
      }
    } catch (err) {
      const why = err instanceof GatehouseError ? err.message : 'it could not be run';
      this.deps.logger.warn({ requestId: req.id, why }, 'approved action not run');
      this.settle(req, action, why.startsWith('Not run') ? why : `Not run: ${why}`);
    }
  }

  /** Spends the grant: on the server first (authoritative, and fails closed when unreachable), then here. */
  private async spend(requestId: string, grantId: string, ownerId: string): Promise<boolean> {
    // Spent as its owner: in the demo someone else may be in front of the app by now.
    const asOwner = ownerId === this.deps.identity.current()?.id ? undefined : ownerId;
    const consumed = await this.o.client.consume(requestId, grantId, asOwner);
    this.remember(consumed);
    return this.o.verifier.markUsed(grantId);
  }

  private settle(req: ApprovalRequest, action: LocalAction, outcome: string): void {
    action.state = 'done';
    this.local.delete(req.id);
    this.outcomes.set(req.id, outcome);
    if (action.kind === 'sql') this.broker?.hold(action.sessionId, -1);
    else if (action.kind === 'held') action.action.settled(req.id, outcome);
    else if (outcome !== 'ran') this.terminals?.announce(action.terminalId, `request ${req.id}: ${outcome}`);
    this.deps.events.emit('approvals.changed', this.view(this.known.get(req.id) ?? req));
  }

  private async grantAccess(req: ApprovalRequest): Promise<void> {
    try {
      const claims = await this.o.verifier.verify(req.grant!.token, { kind: 'access', action: null, connectionId: req.connectionId, requesterId: req.requester, requestId: req.id });
      this.o.gate.grant({ requestId: req.id, identityId: req.requester, connectionId: req.connectionId, expiresAt: claims.exp * 1000 });
      this.o.onAccessChanged();
    } catch (err) {
      this.deps.logger.warn({ requestId: req.id, err: err instanceof Error ? err.message : String(err) }, 'access grant refused');
    }
  }

  private view(req: ApprovalRequest): ApprovalView {
    const { grant: _grant, ...rest } = req;
    const action = this.local.get(req.id);
    return {
      ...rest,
      sessionId: action?.kind === 'sql' ? action.sessionId : null,
      terminalId: action?.kind === 'shell' ? action.terminalId : null,
      outcome: this.outcomes.get(req.id) ?? null,
    };
  }

  private setStatus(status: PolicyServerStatus): void {
    this.statusNow = status;
    this.deps.events.emit('policyServer.status', status);
  }

  private identity(): Identity {
    const identity = this.deps.identity.current();
    if (!identity) throw new GatehouseError('forbidden', 'Sign in to request or decide approvals');
    return identity;
  }

  private maskerFor(identity: Identity): Masker {
    return this.maskers.for(effectivePolicy(this.deps.policy.current(), identity).policy);
  }

  private need<T>(feature: T | null): T {
    if (!feature) throw new GatehouseError('unavailable', 'Approvals are starting; try again in a moment');
    return feature;
  }
}

function reasonOf(req: ApprovalRequest): string {
  const last = req.decisions.at(-1);
  return last?.reason ? ` (${last.reason})` : '';
}

function approvers(req: ApprovalRequest): string {
  return req.decisions.filter((d) => d.decision === 'approve').map((d) => d.byName).join(', ') || 'an approver';
}
