/**
 * The editor's guard (classifySql + decideSql with the role's SQL class policy) applied to what a
 * native client sends: a simple Query text, a Parse text, and FunctionCall (always refused).
 *
 * Unlike the editor, transaction control runs: the client owns its transactions, and the upstream
 * session's read-only default (plus the guard's refusal of READ WRITE) keeps them read-only.
 * Decisions that need an approval are refused: approvals are not wired to the local port yet.
 */
import type { Masker } from '../masking/masker.js';
import { classifySql, decideSql, type SqlClass, type SqlClassPolicy } from '../policy/sql/index.js';
import { errorResponse } from './backend-messages.js';

export type GuardVerdict =
  | { ok: true; class: SqlClass | null; rule: string; reason: string }
  | { ok: false; error: Buffer; action: 'deny' | 'approve'; class: SqlClass | null; rule: string; reason: string };

/** Statement types the local port refuses even when the guard allows them, for now. */
const LISTENER_REFUSALS: Readonly<Record<string, string>> = {
  CopyStmt: 'COPY is not available on the Gatehouse local port yet; run a SELECT instead',
};

export const INSUFFICIENT_PRIVILEGE = '42501';

export class StatementGuard {
  /** Classes of statements prepared with SQL PREPARE in this session, for a later EXECUTE. */
  private readonly prepared = new Map<string, SqlClass>();

  constructor(private readonly policy: () => { sql: SqlClassPolicy; masker: Masker }) {}

  check(sql: string): GuardVerdict {
    const { sql: classPolicy, masker } = this.policy();
    const classification = classifySql(sql, { preparedLookup: (name) => this.prepared.get(name) });
    // An empty text (only comments or semicolons) is harmless; the server answers EmptyQueryResponse.
    if (classification.kind === 'refused' && classification.reason === 'empty') return { ok: true, class: null, rule: 'empty', reason: 'empty statement' };
    const decision = decideSql(classification, classPolicy);
    if (decision.action === 'allow' && classification.kind === 'classified') {
      for (const s of classification.statements) {
        const own = LISTENER_REFUSALS[s.statementType];
        if (own) return this.refuse(masker, 'deny', s.class, 'copy-not-supported', own);
      }
      for (const s of classification.statements) if (s.prepared) this.prepared.set(s.prepared.name, s.prepared.class);
      return { ok: true, class: decision.class, rule: decision.rule, reason: decision.reason };
    }
    if (decision.action === 'approve') {
      return this.refuse(masker, 'approve', decision.class, decision.rule, `${decision.reason}. This statement needs an approval, which is not available on the local port yet; it was not run`);
    }
    return this.refuse(masker, 'deny', decision.class, decision.rule, decision.reason);
  }

  functionCall(): GuardVerdict {
    return this.refuse(this.policy().masker, 'deny', null, 'function-call', 'the FunctionCall protocol message is not available through Gatehouse; call the function in a SELECT');
  }

  private refuse(masker: Masker, action: 'deny' | 'approve', cls: SqlClass | null, rule: string, reason: string): GuardVerdict {
    // The reason may quote the statement, which may carry a value: masked like everything else.
    let shown: string;
    try {
      shown = masker.maskText(reason).text;
    } catch {
      shown = '(reason withheld: masking failed)';
    }
    const error = errorResponse('ERROR', INSUFFICIENT_PRIVILEGE, `Gatehouse refused this statement: ${shown}`, {
      D: `Decision: ${action}; class: ${cls ?? 'unclassified'}; rule: ${rule}.`,
    });
    return { ok: false, error, action, class: cls, rule, reason: shown };
  }
}
