import type { SessionView } from '@gatehouse/gateway-core/contract';
import { SqlResultView } from './SqlResultView';
import type { AgentOutputItem, AgentRecording } from './agent-recording';
import { clock } from './session-format';

function OutputItem({ item }: { item: AgentOutputItem }) {
  switch (item.kind) {
    case 'output':
      return (
        <pre className={`agent-text ${item.stream}`} aria-label={`${item.stream} at ${clock(item.t)}`} data-testid="agent-output-text" data-stream={item.stream}>
          {item.text}
        </pre>
      );
    case 'error':
      return (
        <div className="session-error agent-error" role="note" data-testid="agent-error">
          {item.message}
        </div>
      );
    case 'exit':
      return (
        <p className="session-meta" data-testid="agent-exit" data-code={item.code}>
          Exited with code {item.code}
          {item.signal && ` (signal ${item.signal})`}
        </p>
      );
    case 'marker':
      return <p className="session-meta">{item.label}</p>;
  }
}

/**
 * One AI agent tool call: who (the agent identity and its MCP client), which tool with which
 * (masked) input, what the guard decided and what approvals did, and the (masked) output the
 * agent got: query results in the same view as SQL sessions, text, errors and the exit status.
 */
export function AgentReplay({ recording, view, version }: { recording: AgentRecording; view: SessionView | null; version: number }) {
  // The model grows in place; `version` changing is what re-renders this with more of it.
  void version;
  const r = recording;
  const d = r.decision;
  const runs = r.sql.runs;
  const connection = r.connectionId ?? view?.connectionId ?? '';
  const nothing = runs.length === 0 && r.items.length === 0;
  return (
    <div className="agent-replay" data-testid="agent-replay">
      <dl className="agent-facts" aria-label="Agent call">
        <dt>Agent</dt>
        <dd data-testid="agent-identity">
          {view?.userName ?? r.user} <span className="session-meta">({r.user ?? view?.user})</span>
        </dd>
        <dt>Client</dt>
        <dd data-testid="agent-client">{r.client ?? 'not given'}</dd>
        {r.mcpSession && (
          <>
            <dt>MCP session</dt>
            <dd>{r.mcpSession}</dd>
          </>
        )}
        <dt>Tool</dt>
        <dd data-testid="agent-tool">
          <code>{r.tool ?? view?.detail}</code>
        </dd>
        <dt>Connection</dt>
        <dd>{connection === '-' ? 'none' : connection}</dd>
      </dl>

      <section className="agent-section" aria-label="Input">
        <h3>Input</h3>
        {r.input ? (
          <pre className="agent-json" data-testid="agent-input">
            {JSON.stringify(r.input, null, 2)}
          </pre>
        ) : (
          <p className="sessions-hint">No input recorded.</p>
        )}
      </section>

      <section className="agent-section" aria-label="Decision">
        <h3>Decision</h3>
        {d ? (
          <dl className="agent-facts" data-testid="agent-decision" data-action={d.action}>
            <dt>Action</dt>
            <dd>
              <span className={`decision ${d.action}`}>{d.action}</span>
              {d.class && <span className="session-meta"> · {d.class}</span>}
            </dd>
            <dt>Rule</dt>
            <dd>{d.rule || '—'}</dd>
            <dt>Reason</dt>
            <dd>{d.reason || '—'}</dd>
            {d.approvalId && (
              <>
                <dt>Approval</dt>
                <dd data-testid="agent-approval-id">{d.approvalId}</dd>
              </>
            )}
          </dl>
        ) : (
          <p className="sessions-hint">No decision recorded.</p>
        )}
        {r.approvals.length > 0 && (
          <ol className="agent-approvals" aria-label="Approvals" data-testid="agent-approvals">
            {r.approvals.map((a, i) => (
              <li key={i} data-status={a.status}>
                <span className="replay-time">{clock(a.t)}</span> {a.requestId}: <strong>{a.status}</strong>
                {a.detail && ` · ${a.detail}`}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="agent-section" aria-label="Output" data-testid="agent-output">
        <h3>Output</h3>
        {runs.map((run) => (
          <SqlResultView key={run.run} run={run} title={runs.length > 1 ? `Query result ${run.run + 1}` : 'Query result'} />
        ))}
        {r.items.map((item, i) => (
          <OutputItem key={i} item={item} />
        ))}
        {nothing && <p className="sessions-hint">{d?.action === 'deny' || d?.action === 'approve' ? 'Not run.' : 'No output recorded.'}</p>}
      </section>
    </div>
  );
}
