/**
 * What an agent reads back: short, plain text sized for a model's context. Everything here is
 * formatted from values that were masked before they reached this module (broker results, the
 * exec stream masker's output, masked refusal reasons); nothing here sees a raw value.
 */
import type { ConnectionSummary } from '../contract/bridge-contract.js';
import type { SqlRefusal, SqlRunResult, SqlSchema } from '../contract/sql-schemas.js';

/** One tool call's answer: the text the model reads, whether it is an error, and a small summary. */
export interface ToolOutcome {
  text: string;
  isError: boolean;
  /** Machine-readable facts for clients that use them (status, request id, exit code, row count). */
  data: Record<string, string | number | boolean | null>;
}

/** Longest text one tool call returns; more is cut with a note that says how much. */
export const MAX_OUTPUT_CHARS = 24_000;
const MAX_CELL_CHARS = 200;

export function outcome(text: string, data: ToolOutcome['data'] = {}, isError = false): ToolOutcome {
  return { text: capText(text, MAX_OUTPUT_CHARS), isError, data };
}

export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n…[${text.length - max} more characters not shown]`;
}

export function connectionsText(list: readonly ConnectionSummary[]): string {
  if (list.length === 0) return 'No connections are available to this agent identity.';
  const lines = list.map((c) => {
    const access = c.access ? (c.access.grantedUntil ? `; access granted until ${c.access.grantedUntil}` : '; opens only with an approved access request') : '';
    const status = c.status === 'ready' ? '' : ` [${c.status}${c.statusDetail ? `: ${c.statusDetail}` : ''}]`;
    return `- ${c.id} (${c.type === 'postgres' ? 'PostgreSQL: use query, describe_schema' : 'SSH: use run_command'}) ${c.name}${c.description ? ` — ${c.description}` : ''}${status}${access}`;
  });
  return `${list.length} connection${list.length === 1 ? '' : 's'}:\n${lines.join('\n')}`;
}

/** `schema.table (kind, ~rows): col type, col type?` — `?` marks a nullable column. */
export function schemaText(schema: SqlSchema, filter: { schema?: string | undefined; table?: string | undefined }): { text: string; tables: number } {
  const lines: string[] = [];
  let tables = 0;
  for (const s of schema.schemas) {
    if (filter.schema && s.name !== filter.schema) continue;
    for (const r of s.relations) {
      if (filter.table && r.name !== filter.table) continue;
      tables++;
      const rows = r.rowEstimate !== null && r.rowEstimate >= 0 ? `, ~${Math.round(r.rowEstimate)} rows` : '';
      const cols = r.columns.map((c) => `${c.name} ${c.type}${c.nullable ? '?' : ''}`).join(', ');
      lines.push(`${s.name}.${r.name} (${r.kind}${rows}): ${cols}`);
    }
  }
  if (tables === 0) return { text: filter.table || filter.schema ? 'No table matches that filter.' : 'The database has no tables visible to this identity.', tables };
  return { text: `${tables} relation${tables === 1 ? '' : 's'} (\`?\` marks a nullable column):\n${lines.join('\n')}`, tables };
}

export function refusalText(refusal: Pick<SqlRefusal, 'rule' | 'reason'>, what: 'statement' | 'command'): string {
  return `Refused by Gatehouse policy: ${withRule(refusal.reason, refusal.rule)}. The ${what} did not run. It cannot be approved; change the ${what} instead.`;
}

/** The SQL guard's reasons name their rule already; the shell guard's do not. */
export function withRule(reason: string, rule: string): string {
  return reason.includes(`[rule ${rule}]`) ? reason : `${reason} [rule ${rule}]`;
}

/** A query's answer: masked rows as a pipe table, capped, with a note when rows were left out. */
export function runText(run: SqlRunResult, maxRows: number): { text: string; data: ToolOutcome['data']; isError: boolean } {
  const parts: string[] = [];
  let data: ToolOutcome['data'] = {};
  let isError = false;
  for (const r of run.results) {
    if (r.status === 'rows') {
      const shown = r.rows.slice(0, maxRows);
      const header = r.columns.map((c) => c.name);
      const table = [row(header), row(header.map(() => '---')), ...shown.map((cells) => row(cells.map((c) => (c.v === null ? 'NULL' : cell(c.v)))))];
      const more = r.rows.length > shown.length || r.hasMore;
      const total = r.hasMore ? `at least ${r.rowCount}` : String(r.rowCount);
      const note = more ? `\n(${shown.length} of ${total} rows shown${r.capped ? '; the role’s row cap was reached' : ''}. Add a LIMIT, a narrower WHERE or OFFSET to see others.)` : `\n(${r.rowCount} row${r.rowCount === 1 ? '' : 's'})`;
      parts.push(table.join('\n') + note);
      data = { status: 'rows', rowsShown: shown.length, rowCount: r.rowCount, truncated: more };
    } else if (r.status === 'done') {
      parts.push(`${r.command}${r.rowCount !== null ? ` (${r.rowCount} row${r.rowCount === 1 ? '' : 's'})` : ''}`);
      data = { status: 'done', command: r.command, rowCount: r.rowCount };
    } else if (r.status === 'error') {
      const e = r.error;
      parts.push(`PostgreSQL error${e.sqlstate ? ` ${e.sqlstate}` : ''}: ${e.message}${e.detail ? `\nDETAIL: ${e.detail}` : ''}${e.hint ? `\nHINT: ${e.hint}` : ''}`);
      data = { status: 'error', sqlstate: e.sqlstate ?? null };
      isError = true;
    } else if (r.status === 'cancelled') {
      parts.push('The statement was cancelled.');
      data = { status: 'cancelled' };
      isError = true;
    } else {
      parts.push(refusalText(r.refusal, 'statement'));
      data = { status: 'refused', rule: r.refusal.rule };
      isError = true;
    }
  }
  if (run.notices.length > 0) parts.push(`Notices:\n${run.notices.map((n) => `- ${n}`).join('\n')}`);
  return { text: parts.join('\n\n') || 'The statement returned nothing.', data, isError };
}

export function commandText(r: { exitCode: number; signal?: string | undefined; stdout: string; stderr: string; stdoutCut: number; stderrCut: number }): string {
  const parts = [`exit status ${r.exitCode}${r.signal ? ` (signal ${r.signal})` : ''}`];
  const stream = (name: string, text: string, cut: number): void => {
    if (!text && !cut) return;
    parts.push(`--- ${name} ---\n${text}${cut ? `\n…[${cut} more characters not shown]` : ''}`);
  };
  stream('stdout', r.stdout, r.stdoutCut);
  stream('stderr', r.stderr, r.stderrCut);
  if (parts.length === 1) parts.push('(no output)');
  return parts.join('\n');
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function cell(v: string): string {
  const flat = v.replace(/\r?\n/g, '\\n').replace(/\|/g, '\\|');
  return flat.length > MAX_CELL_CHARS ? `${flat.slice(0, MAX_CELL_CHARS)}…` : flat;
}
