import { useState } from 'react';
import { SqlResultView } from './SqlResultView';
import { clock } from './session-format';
import { runDuration, runRowCount, type SqlRecording, type SqlRun } from './sql-recording';

const PREVIEW_ROWS = 3;

function Decision({ run }: { run: SqlRun }) {
  const d = run.decision;
  if (!d) return <span className="decision none">—</span>;
  return (
    <span className={`decision ${d.action}`} title={d.reason}>
      {d.action}
      {d.class && ` · ${d.class}`}
      {d.rule && ` · ${d.rule}`}
      {d.approvalId && ` · ${d.approvalId}`}
    </span>
  );
}

function Preview({ run }: { run: SqlRun }) {
  const r = run.results.find((x) => x.error || (x.columns && x.rows.length > 0));
  if (!r) return null;
  if (r.error) return <div className="sql-preview error">{r.error.message}</div>;
  const cols = r.columns ?? [];
  return (
    <div className="sql-preview">
      {r.rows.slice(0, PREVIEW_ROWS).map((row, i) => (
        <div key={i} className="sql-preview-row">
          {row.map((c, j) => (
            <span key={j} className={c.m ? 'masked' : undefined} title={cols[j]?.name}>
              {c.v ?? 'NULL'}
            </span>
          ))}
        </div>
      ))}
      {r.rows.length > PREVIEW_ROWS && <div className="session-meta">… {r.rows.length - PREVIEW_ROWS} more recorded</div>}
    </div>
  );
}

/** The statements of an SQL session in order, with decisions and results; one opens in full below. */
export function SqlReplay({ recording, version }: { recording: SqlRecording; version: number }) {
  const [selected, setSelected] = useState<number | null>(null);
  // The model grows in place; `version` changing is what re-renders this with the new runs.
  void version;
  const runs = recording.runs;
  const open = runs.find((r) => r.run === selected) ?? null;
  return (
    <div className="sql-replay">
      <table className="sql-timeline" aria-label="Statements">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Time</th>
            <th scope="col">Statement</th>
            <th scope="col">Decision</th>
            <th scope="col">Duration</th>
            <th scope="col">Rows</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const ms = runDuration(run);
            const rows = runRowCount(run);
            return (
              <tr
                key={run.run}
                aria-label={`Run ${run.run}`}
                aria-selected={run.run === selected}
                className={run.run === selected ? 'selected' : undefined}
                data-testid="sql-timeline-row"
                data-decision={run.decision?.action ?? ''}
                onClick={() => setSelected(run.run)}
              >
                <td>
                  <button type="button" className="link-like" aria-label={`Show run ${run.run}`} onClick={() => setSelected(run.run)}>
                    #{run.run}
                  </button>
                </td>
                <td>{clock(run.t)}</td>
                <td>
                  <pre className="sql-text">{run.text}</pre>
                  <Preview run={run} />
                </td>
                <td>
                  <Decision run={run} />
                </td>
                <td>{ms === null ? '—' : `${ms.toFixed(1)} ms`}</td>
                <td>{rows === null ? '—' : rows}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {runs.length === 0 && <p className="sessions-hint">No statements recorded.</p>}
      {open && <SqlResultView run={open} onClose={() => setSelected(null)} />}
    </div>
  );
}
