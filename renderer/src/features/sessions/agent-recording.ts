/**
 * An agent tool call's recording (JSONL, kind `agent`, recording-format.ts) as the player shows
 * it: who called which tool with what (masked) input, the guard's decision, what approvals did,
 * and what came back. Query results are folded by SqlRecording, so they show exactly as in an
 * SQL session. Lines are checked by hand, as in the other models: the renderer has the contract
 * as types only.
 */
import { JsonlLines, objectOf as obj, type Ev } from './jsonl-lines';
import { SqlRecording, type SqlDecisionInfo } from './sql-recording';

export interface AgentApproval {
  t: number;
  requestId: string;
  status: string;
  detail: string | null;
}

/** What the tool gave back, in order: text, errors outside a statement, the exit status, markers. */
export type AgentOutputItem =
  | { kind: 'output'; t: number; stream: string; text: string }
  | { kind: 'error'; t: number; message: string }
  | { kind: 'exit'; t: number; code: number; signal: string | null }
  | { kind: 'marker'; t: number; label: string };

export class AgentRecording {
  startedAt: string | null = null;
  user: string | null = null;
  connectionId: string | null = null;
  tool: string | null = null;
  client: string | null = null;
  mcpSession: string | null = null;
  /** The call's arguments as recorded (masked); null until the call event is read. */
  input: Record<string, unknown> | null = null;
  decision: SqlDecisionInfo | null = null;
  readonly approvals: AgentApproval[] = [];
  readonly items: AgentOutputItem[] = [];
  /** Query results (runs numbered per call), as in SQL sessions. */
  readonly sql = new SqlRecording();
  skipped = 0;
  private readonly lines = new JsonlLines('gatehouse-agent', 'agent');

  addBodyLine(line: string): void {
    const l = this.lines.read(line);
    if (l.kind === 'skipped') this.skipped++;
    else if (l.kind === 'event') this.add(l.event);
    else {
      const agent = obj(l.meta.agent);
      this.startedAt = str(l.meta.startedAt);
      this.user = str(l.meta.user);
      this.connectionId = str(l.meta.connectionId);
      this.tool = str(agent.tool);
      this.client = str(agent.client);
      this.mcpSession = str(agent.mcpSession);
    }
  }

  private add(e: Ev): void {
    switch (e.type) {
      case 'call':
        this.tool ??= str(e.tool);
        this.input = obj(e.input);
        return;
      case 'decision':
        this.decision = e as unknown as SqlDecisionInfo;
        return;
      case 'approval':
        this.approvals.push({ t: e.t, requestId: String(e.requestId ?? ''), status: String(e.status ?? ''), detail: str(e.detail) });
        return;
      case 'output':
        this.items.push({ kind: 'output', t: e.t, stream: String(e.stream ?? 'result'), text: String(e.text ?? '') });
        return;
      case 'exit':
        this.items.push({ kind: 'exit', t: e.t, code: typeof e.code === 'number' ? e.code : -1, signal: str(e.signal) });
        return;
      case 'marker':
        this.items.push({ kind: 'marker', t: e.t, label: String(e.label ?? '') });
        return;
      case 'error':
        // A tool error outside any statement; a statement's error belongs to its query result.
        if (typeof e.run !== 'number') {
          this.items.push({ kind: 'error', t: e.t, message: String(obj(e.error).message ?? '') });
          return;
        }
        this.sql.addEvent(e);
        return;
      default:
        this.sql.addEvent(e);
    }
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
