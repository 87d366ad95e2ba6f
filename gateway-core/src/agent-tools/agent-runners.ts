/**
 * Where agent actions actually run: SQL through a broker of the agent's own (one upstream
 * session per connection, statements in order), shell commands through guarded exec. Both mask
 * before anything comes back; the credential stays in the SecretResolver.
 *
 * The broker records nothing itself: each tool call is recorded whole, as an agent session.
 */
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { PostgresConnectionConfig, SshConnectionConfig } from '../connections/connection-config.js';
import type { Identity } from '../contract/bridge-contract.js';
import type { SqlRunResult, SqlSchema } from '../contract/sql-schemas.js';
import { mayUseConnection } from '../policy/effective-policy.js';
import type { RolePolicy } from '../policy/policy-document.js';
import { SqlBroker, type WriteApproval } from '../postgres/sql-broker.js';
import { ExecAborted, execGuarded } from '../ssh/ssh-exec.js';
import type { AgentToolsDeps } from './agent-tools.js';
import type { CallRecording } from './call-recording.js';
import { commandText, outcome, runText, type ToolOutcome } from './tool-output.js';

/** Output kept per stream of one command; the rest is counted, not kept. */
const MAX_STREAM_CHARS = 16_000;
/** How long a call waits for a connection that is still starting. */
const STARTING_WAIT_MS = 90_000;

export interface ExecRequest {
  approved: boolean;
  timeoutSeconds: number;
  rec: CallRecording;
  signal?: AbortSignal | undefined;
}

export class AgentRunners {
  private readonly broker: SqlBroker;
  private readonly sessions = new Map<string, string>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: AgentToolsDeps) {
    const { recordings: _notHere, ...brokerDeps } = deps;
    this.broker = new SqlBroker(brokerDeps, { pageSize: 200, maxSessionsPerIdentity: 16 });
  }

  async postgresConfig(identity: Identity, policy: RolePolicy, connectionId: string): Promise<PostgresConnectionConfig> {
    const config = await this.config(identity, policy, connectionId);
    if (config.type !== 'postgres') throw new GatehouseError('invalid_input', `"${connectionId}" is an SSH connection; use run_command`);
    return config;
  }

  async sshConfig(identity: Identity, policy: RolePolicy, connectionId: string): Promise<SshConnectionConfig> {
    const config = await this.config(identity, policy, connectionId);
    if (config.type !== 'ssh') throw new GatehouseError('invalid_input', `"${connectionId}" is a PostgreSQL connection; use query`);
    return config;
  }

  schema(connectionId: string): Promise<SqlSchema> {
    return this.broker.schema(connectionId);
  }

  /** Runs on the connection's session, after whatever the agent sent there before. */
  runSql(connectionId: string, text: string, approval: WriteApproval | null): Promise<SqlRunResult> {
    return this.inOrder(connectionId, async () => {
      const sessionId = await this.session(connectionId);
      return approval ? this.broker.runApproved(sessionId, text, approval) : this.broker.run(sessionId, text);
    });
  }

  answer(run: SqlRunResult, maxRows: number): ToolOutcome {
    const r = runText(run, maxRows);
    return outcome(r.text, r.data, r.isError);
  }

  async exec(policy: RolePolicy, connectionId: string, command: string, req: ExecRequest): Promise<ToolOutcome> {
    const identity = this.deps.identity.current();
    if (!identity) throw new GatehouseError('forbidden', 'The agent identity is not signed in');
    const config = await this.sshConfig(identity, policy, connectionId);
    const out = { stdout: '', stderr: '', stdoutCut: 0, stderrCut: 0 };
    const keep = (stream: 'stdout' | 'stderr', s: string): void => {
      const room = MAX_STREAM_CHARS - out[stream].length;
      out[stream] += s.slice(0, Math.max(0, room));
      if (s.length > room) out[stream === 'stdout' ? 'stdoutCut' : 'stderrCut'] += s.length - Math.max(0, room);
    };
    const timeout = AbortSignal.timeout(req.timeoutSeconds * 1000);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    try {
      const result = await execGuarded({
        config,
        command,
        role: policy,
        secrets: this.deps.secrets,
        knownHosts: this.deps.knownHosts,
        approved: req.approved,
        signal,
        stdout: (s) => keep('stdout', s),
        stderr: (s) => keep('stderr', s),
      });
      // The guard decided before this was called; a refusal here means the policy changed meanwhile.
      if (!result.ran) throw new GatehouseError('forbidden', `Refused by Gatehouse policy: ${result.decision.reason}; the command did not run`);
      req.rec.output('stdout', out.stdout);
      req.rec.output('stderr', out.stderr);
      req.rec.exit(result.exitCode ?? 255, result.signal);
      const text = commandText({ exitCode: result.exitCode ?? 255, signal: result.signal, ...out });
      return outcome(text, { status: 'ran', exitCode: result.exitCode ?? 255 });
    } catch (err) {
      if (!(err instanceof ExecAborted)) throw err;
      // Output up to the stop was masked already; it is kept, with the reason it ends there.
      const why = timeout.aborted ? `it was stopped after ${req.timeoutSeconds} s (timeout_seconds)` : 'the call was cancelled';
      req.rec.output('stdout', out.stdout);
      req.rec.output('stderr', out.stderr);
      return outcome(`The command did not finish: ${why}.\n${commandText({ exitCode: 124, ...out })}`, { status: 'stopped' }, true);
    }
  }

  async close(): Promise<void> {
    await this.broker.closeAll();
  }

  private async config(identity: Identity, policy: RolePolicy, connectionId: string): Promise<PostgresConnectionConfig | SshConnectionConfig> {
    if (!mayUseConnection(policy, connectionId)) throw new GatehouseError('forbidden', `This agent's role may not use the connection "${connectionId}"`);
    const config = this.deps.registry.get(connectionId) ?? (await this.whenStarted(connectionId));
    if (!config) {
      const pending = this.deps.registry.list().find((c) => c.id === connectionId);
      if (pending) throw new GatehouseError('unavailable', `The connection "${connectionId}" is ${pending.status === 'starting' ? 'still starting; try again shortly' : 'unavailable'}`);
      throw new GatehouseError('not_found', `No connection "${connectionId}"; list_connections shows the ones available`);
    }
    this.deps.accessGate?.check(connectionId, identity);
    return config;
  }

  /**
   * A connection still starting (the demo seeds its database on a first run) is waited for, up to
   * a bound, so that an agent's first call does not fail only because it came early.
   */
  private whenStarted(connectionId: string): Promise<PostgresConnectionConfig | SshConnectionConfig | undefined> {
    const starting = (): boolean => this.deps.registry.list().some((c) => c.id === connectionId && c.status === 'starting');
    if (!starting()) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
        resolve(this.deps.registry.get(connectionId));
      };
      const timer = setTimeout(done, STARTING_WAIT_MS);
      const unsubscribe = this.deps.registry.onChange(() => {
        if (!starting()) done();
      });
    });
  }

  private async session(connectionId: string): Promise<string> {
    const known = this.sessions.get(connectionId);
    if (known && this.broker.isOpen(known)) return known;
    const { sessionId } = await this.broker.open(connectionId);
    this.sessions.set(connectionId, sessionId);
    return sessionId;
  }

  private inOrder<T>(connectionId: string, body: () => Promise<T>): Promise<T> {
    const before = this.queues.get(connectionId) ?? Promise.resolve();
    const next = before.then(body, body);
    this.queues.set(
      connectionId,
      next.catch(() => undefined),
    );
    return next;
  }
}
