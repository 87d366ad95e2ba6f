/**
 * The editor's guard (classifySql + decideSql with the role's SQL class policy) applied to what a
 * native client sends: a simple Query text, a Parse text, and FunctionCall (always refused).
 *
 * Unlike the editor, transaction control runs: the client owns its transactions, and the upstream
 * session's read-only default (plus the guard's refusal of READ WRITE) keeps them read-only.
 * Decisions that need an approval are refused: approvals are not wired to the local port yet.
 *
 * COPY: the guard classifies it (TO STDOUT: the class of what it reads; FROM STDIN: write; a file
 * or PROGRAM: dangerous); on top of that only a lone `COPY … TO STDOUT` in text or CSV format runs
 * (copy-plan.ts), and the verdict carries what the session needs to mask its rows by column.
 */
import { parseSync } from 'libpg-query';
import type { Masker } from '../masking/masker.js';
import { classifySql, decideSql, type SqlClass, type SqlClassification, type SqlClassPolicy } from '../policy/sql/index.js';
import { errorResponse } from './backend-messages.js';
import { analyzeCopy, type CopyRequest } from './copy-plan.js';
import { cacheableByShape, literalShape, shapeCache } from './statement-shape.js';

export type GuardVerdict =
  | { ok: true; class: SqlClass | null; rule: string; reason: string; copy?: CopyRequest }
  | { ok: false; error: Buffer; action: 'deny' | 'approve'; class: SqlClass | null; rule: string; reason: string };

export const INSUFFICIENT_PRIVILEGE = '42501';
export const FEATURE_NOT_SUPPORTED = '0A000';

const STRING_SYNTAX_REASON =
  'standard_conforming_strings stays on through the Gatehouse local port: the guard reads string literals as the server does with it on, and with it off the server would read a later statement differently from the guard';

/**
 * Whether a SET/RESET could turn standard_conforming_strings off. The guard's parser always lexes
 * backslashes in '…' literally; after `SET standard_conforming_strings = off` the server would not,
 * and `SELECT 'a\' , ' ; <anything> ; -- '` is one harmless SELECT to the guard but two statements
 * to the server. The editor is not exposed (each run is rolled back, settings included); the local
 * port's client owns its session, so only an explicit `= on` passes. Unreadable: refused.
 */
function leavesStandardStrings(text: string): boolean {
  let stmt: unknown;
  try {
    stmt = parseSync(text).stmts?.[0]?.stmt;
  } catch {
    return true;
  }
  const set = (stmt as { VariableSetStmt?: { kind?: string; name?: string; args?: unknown[] } } | undefined)?.VariableSetStmt;
  if (!set) return true;
  if (typeof set.name !== 'string' || set.name.toLowerCase() !== 'standard_conforming_strings') return false;
  const arg = set.kind === 'VAR_SET_VALUE' && set.args?.length === 1 ? (set.args[0] as { A_Const?: { sval?: { sval?: unknown } } }).A_Const?.sval?.sval : undefined;
  return typeof arg !== 'string' || !['on', 'true', 'yes', '1'].includes(arg.toLowerCase());
}

export class StatementGuard {
  /** Classes of statements prepared with SQL PREPARE in this session, for a later EXECUTE. */
  private readonly prepared = new Map<string, SqlClass>();

  constructor(private readonly policy: () => { sql: SqlClassPolicy; masker: Masker }) {}

  check(sql: string): GuardVerdict {
    const { sql: classPolicy, masker } = this.policy();
    const classification = this.classify(sql);
    // An empty text (only comments or semicolons) is harmless; the server answers EmptyQueryResponse.
    if (classification.kind === 'refused' && classification.reason === 'empty') return { ok: true, class: null, rule: 'empty', reason: 'empty statement' };
    const decision = decideSql(classification, classPolicy);
    let copy: CopyRequest | undefined;
    if (decision.action !== 'deny' && classification.kind === 'classified' && classification.statements.some((s) => s.statementType === 'CopyStmt')) {
      // The role's deny stands; otherwise what the port cannot do is said before any approval talk.
      if (classification.statements.length > 1) return this.copyRefusal('COPY must be sent alone, not with other statements in the same query', decision.class);
      const analysis = analyzeCopy(sql);
      if (!analysis.ok) return this.copyRefusal(analysis.reason, decision.class);
      copy = analysis.copy;
    }
    if (decision.action === 'allow' && classification.kind === 'classified') {
      for (const s of classification.statements) {
        if (s.statementType === 'VariableSetStmt' && leavesStandardStrings(s.text)) {
          return this.refuse(masker, 'deny', s.class, 'string-syntax', STRING_SYNTAX_REASON);
        }
      }
      for (const s of classification.statements) if (s.prepared) this.prepared.set(s.prepared.name, s.prepared.class);
      return { ok: true, class: decision.class, rule: decision.rule, reason: decision.reason, ...(copy ? { copy } : {}) };
    }
    if (decision.action === 'approve') {
      return this.refuse(masker, 'approve', decision.class, decision.rule, `${decision.reason}. This statement needs an approval, which is not available on the local port yet; it was not run`);
    }
    return this.refuse(masker, 'deny', decision.class, decision.rule, decision.reason);
  }

  /** classifySql, or the cached classification of a read-only SELECT of the same shape. */
  private classify(sql: string): SqlClassification {
    const shape = literalShape(sql);
    const known = shape === null ? undefined : shapeCache.get(shape);
    if (known) return known;
    const c = classifySql(sql, { preparedLookup: (name) => this.prepared.get(name) });
    if (shape !== null && cacheableByShape(c)) shapeCache.set(shape, c);
    return c;
  }

  functionCall(): GuardVerdict {
    return this.refuse(this.policy().masker, 'deny', null, 'function-call', 'the FunctionCall protocol message is not available through Gatehouse; call the function in a SELECT');
  }

  /**
   * A COPY the port does not run (0A000). `error`: the client gets this ErrorResponse instead
   * (a masked server error that resolving the COPY's columns ran into).
   */
  copyRefusal(reason: string, cls: SqlClass | null = 'read', error?: Buffer): GuardVerdict & { ok: false } {
    const v = this.refuse(this.policy().masker, 'deny', cls, 'copy-not-supported', reason, FEATURE_NOT_SUPPORTED);
    return error ? { ...v, error } : v;
  }

  private refuse(masker: Masker, action: 'deny' | 'approve', cls: SqlClass | null, rule: string, reason: string, sqlstate = INSUFFICIENT_PRIVILEGE): GuardVerdict & { ok: false } {
    // The reason may quote the statement, which may carry a value: masked like everything else.
    let shown: string;
    try {
      shown = masker.maskText(reason).text;
    } catch {
      shown = '(reason withheld: masking failed)';
    }
    const error = errorResponse('ERROR', sqlstate, `Gatehouse refused this statement: ${shown}`, {
      D: `Decision: ${action}; class: ${cls ?? 'unclassified'}; rule: ${rule}.`,
    });
    return { ok: false, error, action, class: cls, rule, reason: shown };
  }
}
