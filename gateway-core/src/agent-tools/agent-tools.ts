/**
 * What an AI agent may do through Gatehouse (issue 8), with the same guard, masking, approvals
 * and recording as a person, and never the credential. Transports (the MCP server) call these
 * methods with validated input and pass the answers on unchanged.
 *
 * Each call runs as the gateway's current identity (the agent's service identity, or the demo's
 * `agent`), under the policy role that identity maps to. Each call is recorded as a session of
 * its own (kind `agent`); a call whose action waits for approval keeps its recording open until
 * the request ends, so the recording tells that action's whole story.
 */
import { randomUUID } from 'node:crypto';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { GatewayServices } from '../bridge/handler-deps.js';
import { listConnections } from '../bridge/bridge-handlers.js';
import type { ApprovalService } from '../approvals/approval-service.js';
import { actionHash } from '../approvals/action-hash.js';
import { MaskingError, type Masker } from '../masking/index.js';
import { RoleMaskers } from '../policy/role-maskers.js';
import { effectivePolicy, mayUseConnection } from '../policy/effective-policy.js';
import type { RolePolicy } from '../policy/policy-document.js';
import { planRun } from '../postgres/statement-plan.js';
import type { Identity } from '../contract/bridge-contract.js';
import type { KnownHostsStore } from '../ssh/known-hosts.js';
import { judgeText } from '../ssh/line-guard.js';
import { SshConnectError } from '../ssh/ssh-connect.js';
import type { ApprovalStatusInput, DescribeSchemaInput, QueryInput, RequestApprovalInput, RunCommandInput } from './agent-tool-schemas.js';
import { CallRecording } from './call-recording.js';
import { HeldActions, type HeldEntry, type WaitContext } from './held-actions.js';
import { AgentRunners } from './agent-runners.js';
import { connectionsText, outcome, refusalText, schemaText, withRule, type ToolOutcome } from './tool-output.js';

export type AgentToolsDeps = Pick<GatewayServices, 'registry' | 'secrets' | 'identity' | 'policy' | 'logger' | 'accessGate' | 'recordings'> & {
  knownHosts: KnownHostsStore;
  /** The approvals service when a policy server is configured; without it nothing is approvable. */
  approvals?: Pick<ApprovalService, 'requestAction' | 'get'>;
  progressIntervalMs?: number;
};

/** Who called, over what: recorded with every call and used for progress and cancel. */
export interface CallContext extends WaitContext {
  /** The MCP client's "name/version". */
  client?: string | undefined;
  mcpSession?: string | undefined;
}

interface Caller {
  identity: Identity;
  policy: RolePolicy;
  masker: Masker;
}

interface Call {
  caller: Caller;
  rec: CallRecording;
  /** The body recorded the answer itself (rows, command output): do not record the text again. */
  outputRecorded: boolean;
  /** The action waits for approval: its recording stays open until the request ends. */
  keepOpen: boolean;
  ctx: CallContext;
}

/** A held action as the guard described it, before it is sent for approval. */
interface HeldSpec {
  kind: 'sql' | 'shell';
  tool: 'query' | 'run_command';
  connectionId: string;
  text: string;
  class: 'read' | 'write' | 'dangerous' | null;
  rule: string;
  /** Masked. */
  reason: string;
  justification: string | undefined;
  waitSeconds: number;
  /** Runs the approved action once (the grant is spent inside) and returns the agent's answer. */
  execute: (grant: { requestId: string; expiresAt: Date; spend: () => Promise<boolean> }, rec: CallRecording) => Promise<ToolOutcome>;
}

/** How query/run_command are reached: directly, or through request_approval (which never runs an allowed action). */
interface Via {
  tool?: string;
  args?: Record<string, unknown>;
  approvalOnly?: boolean;
}
const RUN: Via = {};

const NOT_NEEDED = (what: 'statement' | 'command', tool: string): ToolOutcome =>
  outcome(`This ${what} needs no approval under the policy; nothing was requested and nothing ran. Run it with ${tool}.`, { status: 'not_needed' });

export class AgentTools {
  private readonly held: HeldActions;
  private readonly runners: AgentRunners;
  private readonly maskers = new RoleMaskers();

  constructor(private readonly deps: AgentToolsDeps) {
    this.held = new HeldActions(deps.progressIntervalMs);
    this.runners = new AgentRunners(deps);
  }

  listConnections(ctx: CallContext = {}): Promise<ToolOutcome> {
    return this.call('list_connections', '-', {}, ctx, async ({ caller }) => {
      const mine = listConnections(this.deps).filter((c) => mayUseConnection(caller.policy, c.id));
      return outcome(connectionsText(mine), { connections: mine.length });
    });
  }

  describeSchema(input: DescribeSchemaInput, ctx: CallContext = {}): Promise<ToolOutcome> {
    return this.call('describe_schema', input.connection, input, ctx, async ({ caller }) => {
      await this.runners.postgresConfig(caller.identity, caller.policy, input.connection);
      const schema = await this.runners.schema(input.connection);
      const { text, tables } = schemaText(schema, { schema: input.schema, table: input.table });
      return outcome(text, { tables });
    });
  }

  query(input: QueryInput, ctx: CallContext = {}, as: Via = RUN): Promise<ToolOutcome> {
    return this.call(as.tool ?? 'query', input.connection, as.args ?? input, ctx, async (call) => {
      const { caller, rec } = call;
      await this.runners.postgresConfig(caller.identity, caller.policy, input.connection);
      const plan = planRun(input.sql, caller.policy.sql);
      if (plan.kind === 'refused') return this.refuse(call, plan.refusal.class, plan.refusal.rule, plan.refusal.reason, 'statement');
      if (plan.statements.length !== 1) return this.refuse(call, plan.class, 'agent-one-statement', `one statement per query call (this text has ${plan.statements.length})`, 'statement');
      const maxRows = input.max_rows ?? 50;
      const text = input.sql;
      if (plan.action === 'approve') {
        return this.hold(call, {
          kind: 'sql',
          tool: 'query',
          connectionId: input.connection,
          text,
          class: plan.class,
          rule: plan.rule,
          reason: this.mask(caller, plan.reason),
          justification: input.justification,
          waitSeconds: input.wait_seconds ?? 0,
          execute: async (grant, held) => {
            held.decision({ action: 'approved', class: plan.class, rule: plan.rule, reason: plan.reason, approvalId: grant.requestId });
            const approval = { requestId: grant.requestId, statementHash: actionHash('sql', text), connectionId: input.connection, requesterId: caller.identity.id, expiresAt: grant.expiresAt, consume: grant.spend };
            const run = await this.runners.runSql(input.connection, text, approval);
            held.sqlResult(run);
            return this.runners.answer(run, maxRows);
          },
        });
      }
      rec.decision({ action: 'allow', class: plan.class, rule: plan.rule, reason: this.mask(caller, plan.reason) });
      if (as.approvalOnly) return NOT_NEEDED('statement', 'query');
      const run = await this.runners.runSql(input.connection, text, null);
      rec.sqlResult(run);
      call.outputRecorded = true;
      return this.runners.answer(run, maxRows);
    });
  }

  runCommand(input: RunCommandInput, ctx: CallContext = {}, as: Via = RUN): Promise<ToolOutcome> {
    return this.call(as.tool ?? 'run_command', input.connection, as.args ?? input, ctx, async (call) => {
      const { caller, rec } = call;
      await this.runners.sshConfig(caller.identity, caller.policy, input.connection);
      const decision = judgeText(input.command, [], caller.policy.shell);
      const rule = decision.rule ?? `shell-${decision.basis}`;
      if (decision.action === 'deny') return this.refuse(call, null, rule, decision.reason, 'command');
      const timeout = input.timeout_seconds ?? 60;
      if (decision.action === 'approve') {
        return this.hold(call, {
          kind: 'shell',
          tool: 'run_command',
          connectionId: input.connection,
          text: input.command,
          class: null,
          rule,
          reason: this.mask(caller, decision.reason),
          justification: input.justification,
          waitSeconds: input.wait_seconds ?? 0,
          execute: async (grant, held) => {
            if (!(await grant.spend())) throw new GatehouseError('forbidden', 'the approval was already used');
            held.decision({ action: 'approved', class: null, rule, reason: this.mask(caller, decision.reason), approvalId: grant.requestId });
            return this.runners.exec(caller.policy, input.connection, input.command, { approved: true, timeoutSeconds: timeout, rec: held });
          },
        });
      }
      rec.decision({ action: 'allow', class: null, rule, reason: this.mask(caller, decision.reason) });
      if (as.approvalOnly) return NOT_NEEDED('command', 'run_command');
      call.outputRecorded = true;
      return this.runners.exec(caller.policy, input.connection, input.command, { approved: false, timeoutSeconds: timeout, rec, signal: ctx.signal });
    });
  }

  /** An explicit request: the action must be one the policy holds for approval. */
  requestApproval(input: RequestApprovalInput, ctx: CallContext = {}): Promise<ToolOutcome> {
    if ((input.sql === undefined) === (input.command === undefined)) {
      return Promise.resolve(outcome('Give exactly one of sql or command.', { status: 'invalid_input' }, true));
    }
    const waitSeconds = input.wait_seconds ?? 0;
    const as: Via = { tool: 'request_approval', args: input, approvalOnly: true };
    return input.sql !== undefined
      ? this.query({ connection: input.connection, sql: input.sql, justification: input.justification, wait_seconds: waitSeconds }, ctx, as)
      : this.runCommand({ connection: input.connection, command: input.command!, justification: input.justification, wait_seconds: waitSeconds }, ctx, as);
  }

  approvalStatus(input: ApprovalStatusInput, ctx: CallContext = {}): Promise<ToolOutcome> {
    const known = this.held.get(input.request_id);
    return this.call('approval_status', known?.connectionId ?? '-', input, ctx, async ({ caller, rec }) => {
      const entry = this.held.get(input.request_id);
      if (!entry) return this.unknownRequest(caller, input.request_id);
      await this.held.wait(entry.requestId, input.wait_seconds ?? 0, ctx);
      rec.approval(entry.requestId, entry.state, entry.outcome);
      return describeHeld(entry);
    });
  }

  async close(): Promise<void> {
    await this.held.closeAll();
    await this.runners.close();
  }

  // ---- internals ----

  private async call(tool: string, connectionId: string, args: Record<string, unknown>, ctx: CallContext, body: (call: Call) => Promise<ToolOutcome>): Promise<ToolOutcome> {
    let caller: Caller;
    let rec: CallRecording;
    try {
      caller = this.caller();
      rec = new CallRecording(
        this.deps.recordings?.agentCall({
          sessionId: randomUUID(),
          user: caller.identity.id,
          connectionId,
          tool,
          ...(ctx.client ? { client: ctx.client } : {}),
          ...(ctx.mcpSession ? { mcpSession: ctx.mcpSession } : {}),
        }),
        caller.masker,
      );
    } catch (err) {
      // Nothing runs unrecorded (unless policy says a full spool may), and nothing without a role.
      return outcome(`Not run: ${this.describe(err)}`, { status: 'error' }, true);
    }
    const call: Call = { caller, rec, outputRecorded: false, keepOpen: false, ctx };
    try {
      rec.input(args);
      const answer = await body(call);
      if (!call.outputRecorded) rec.output('result', answer.text);
      return answer;
    } catch (err) {
      const message = this.describe(err);
      rec.error(message);
      return outcome(message, { status: 'error' }, true);
    } finally {
      if (!call.keepOpen) await rec.close();
    }
  }

  private refuse(call: Call, cls: 'read' | 'write' | 'dangerous' | null, rule: string, reason: string, what: 'statement' | 'command'): ToolOutcome {
    const masked = this.mask(call.caller, reason);
    call.rec.decision({ action: 'deny', class: cls, rule, reason: masked });
    return outcome(refusalText({ rule, reason: masked }, what), { status: 'refused', rule }, true);
  }

  private async hold(call: Call, spec: HeldSpec): Promise<ToolOutcome> {
    const { caller, rec } = call;
    const what = spec.kind === 'sql' ? 'statement' : 'command';
    rec.decision({ action: 'approve', class: spec.class, rule: spec.rule, reason: spec.reason });
    const approvals = this.deps.approvals;
    if (!approvals) {
      return outcome(`Held: this ${what} needs a human approval: ${withRule(spec.reason, spec.rule)}. No policy server is configured, so it cannot be approved; it did not run.`, { status: 'approval_unavailable', rule: spec.rule }, true);
    }
    let entry: HeldEntry | undefined;
    const view = await approvals.requestAction({
      kind: spec.kind,
      connectionId: spec.connectionId,
      text: spec.text,
      ...(spec.class ? { actionClass: spec.class } : {}),
      rule: spec.rule,
      justification: spec.justification ?? `Requested by ${caller.identity.displayName} through the ${spec.tool} tool (the agent gave no justification)`,
      owner: caller.identity,
      execute: async (grant) => {
        this.held.running(grant.requestId);
        rec.approval(grant.requestId, 'approved');
        const answer = await spec.execute(grant, rec);
        rec.output('result', answer.text);
        this.held.ran(grant.requestId, { ...answer, text: `Approval request ${grant.requestId} was approved; the held ${what} ran once:\n${answer.text}`, data: { ...answer.data, requestId: grant.requestId, approval: 'ran' } });
      },
      settled: (requestId, result) => this.held.settle(requestId, result),
    });
    entry = { requestId: view.id, kind: spec.kind, connectionId: spec.connectionId, state: 'pending', recording: rec };
    this.held.add(entry);
    call.keepOpen = true;
    call.outputRecorded = true;
    rec.approval(view.id, 'pending', `${view.requiredApprovals} approval${view.requiredApprovals === 1 ? '' : 's'} needed`);
    await this.held.wait(view.id, spec.waitSeconds, call.ctx);
    entry = this.held.get(view.id) ?? entry;
    if (entry.state === 'ran' || entry.state === 'not-run') return describeHeld(entry);
    const text =
      `Held for approval: ${withRule(spec.reason, spec.rule)}. Approval request ${view.id} was sent to the approvers and is ${entry.state === 'running' ? 'approved and running' : 'pending'}; nothing has run yet. ` +
      `Call approval_status with request_id "${view.id}" (and wait_seconds to wait). Once approved, the ${what} runs exactly once and approval_status returns its result.`;
    return outcome(text, { status: 'pending_approval', requestId: view.id, rule: spec.rule });
  }

  private async unknownRequest(caller: Caller, requestId: string): Promise<ToolOutcome> {
    if (!this.deps.approvals) return outcome(`No approval request ${requestId}: no policy server is configured.`, { status: 'not_found' }, true);
    const view = await this.deps.approvals.get(requestId);
    if (view.requester !== caller.identity.id) throw new GatehouseError('not_found', `No approval request ${requestId} of this agent`);
    return outcome(`Approval request ${requestId} is ${view.status}. It was not made by this run of the Gatehouse MCP server, so no action is held here for it; ask again with request_approval if it is still needed.`, { status: view.status, requestId });
  }

  private caller(): Caller {
    const identity = this.deps.identity.current();
    if (!identity) throw new GatehouseError('forbidden', 'The agent identity is not signed in');
    const { policy } = effectivePolicy(this.deps.policy.current(), identity);
    return { identity, policy, masker: this.maskers.for(policy) };
  }

  private mask(caller: Caller, text: string): string {
    try {
      return caller.masker.maskText(text).text;
    } catch {
      return '[withheld: masking failed]';
    }
  }

  /** Text for the agent: GatehouseError and connect errors are user-safe; anything else is not shown. */
  private describe(err: unknown): string {
    if (err instanceof MaskingError) return 'The result was withheld: it could not be masked, and Gatehouse shows nothing it cannot mask.';
    if (err instanceof GatehouseError || err instanceof SshConnectError) return this.deps.secrets.scrub(err.message);
    this.deps.logger.error({ err }, 'agent tool call failed');
    return 'Gatehouse failed to run this call (the details are in the Gatehouse log).';
  }
}

function describeHeld(entry: HeldEntry): ToolOutcome {
  if (entry.state === 'ran' && entry.result) return entry.result;
  if (entry.state === 'not-run') return outcome(`Approval request ${entry.requestId}: ${entry.outcome ?? 'it ended; nothing ran'}.`, { status: 'not_run', requestId: entry.requestId }, true);
  const state = entry.state === 'running' ? 'approved and running now' : 'still pending';
  return outcome(`Approval request ${entry.requestId} is ${state}; nothing has run yet. Call approval_status again (with wait_seconds) to wait for it.`, { status: entry.state, requestId: entry.requestId });
}
