/**
 * Decides a whole SQL text before any of it reaches the target (invariant 3): the guard classifies
 * every statement, the role's class policy decides, and the broker adds the few refusals of its
 * own. Nothing runs unless every statement is allowed, so "SELECT 1; DROP TABLE t" runs nothing.
 */
import type { SqlRefusal } from '../contract/sql-schemas.js';
import { classifySql, decideSql, type SqlClass, type SqlClassPolicy, type SqlStatement } from '../policy/sql/index.js';

export type RunPlan =
  | { kind: 'refused'; refusal: SqlRefusal }
  | {
      kind: 'run';
      statements: readonly SqlStatement[];
      class: SqlClass;
      /** The guard's decision for the whole text; 'approve' is only runnable with a grant. */
      action: 'allow' | 'approve';
      /** The deciding rule and the guard's words for it (for check-sql and recordings). */
      rule: string;
      reason: string;
      refusalIfNotApproved?: SqlRefusal;
    };

/**
 * Statement types the editor will not run even when the guard allows them:
 * - transaction control would end the broker's READ ONLY transaction from inside, so later
 *   statements would run outside it (and, for an approved write, commit half of a text);
 * - COPY streams in its own sub-protocol that the result pipeline does not carry (exports go
 *   through SELECT and sql.exportCsv, masked).
 */
const BROKER_REFUSALS: Readonly<Record<string, { rule: string; reason: string }>> = {
  TransactionStmt: {
    rule: 'transaction-control',
    reason: 'Gatehouse runs each submission in its own transaction; BEGIN, COMMIT, ROLLBACK and savepoints are not available in the SQL editor',
  },
  CopyStmt: {
    rule: 'copy-not-supported',
    reason: 'COPY is not available in the SQL editor; run a SELECT and export the (masked) result as CSV instead',
  },
};

export function planRun(text: string, classPolicy: SqlClassPolicy, preparedLookup?: (name: string) => SqlClass | undefined): RunPlan {
  const classification = classifySql(text, preparedLookup ? { preparedLookup } : {});
  const decision = decideSql(classification, classPolicy);
  const refusal = (action: 'deny' | 'approve', extra?: string): SqlRefusal => ({
    action,
    class: decision.class,
    rule: decision.rule,
    reason: extra ? `${decision.reason}. ${extra}` : decision.reason,
    ...(decision.location ? { location: { start: decision.location.start, end: decision.location.end } } : {}),
  });
  if (decision.action === 'deny' || classification.kind === 'refused') return { kind: 'refused', refusal: refusal('deny') };

  for (const statement of classification.statements) {
    const own = BROKER_REFUSALS[statement.statementType];
    if (own) {
      return {
        kind: 'refused',
        refusal: { action: 'deny', class: statement.class, rule: own.rule, reason: own.reason, location: { ...statement.location } },
      };
    }
  }
  if (decision.action === 'approve') {
    return {
      kind: 'run',
      statements: classification.statements,
      class: classification.class,
      action: 'approve',
      rule: decision.rule,
      reason: decision.reason,
      refusalIfNotApproved: refusal('approve', 'This statement needs an approval before it can run; approvals are not available yet, so it was not run'),
    };
  }
  return { kind: 'run', statements: classification.statements, class: classification.class, action: 'allow', rule: decision.rule, reason: decision.reason };
}
