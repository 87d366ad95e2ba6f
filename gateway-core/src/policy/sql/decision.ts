/**
 * The decision layer: a role's class policy applied to a classification. Refusals (parse
 * errors, unclassifiable, empty) always deny, whatever the policy says.
 */
import { z } from 'zod';
import { type SqlClass, type SqlClassification, type SqlRange } from './types.js';

export const sqlActionSchema = z.enum(['allow', 'approve', 'deny']);
export type SqlAction = z.infer<typeof sqlActionSchema>;

const ACTION_STRICTNESS: Readonly<Record<SqlAction, number>> = { allow: 0, approve: 1, deny: 2 };

/**
 * A role's SQL class policy. A stricter class may never be treated more leniently than a
 * milder one (e.g. dangerous: allow with write: approve): such a policy is almost certainly a
 * typo, and a half-sensible policy is rejected whole rather than applied.
 */
export const sqlClassPolicySchema = z
  .object({ read: sqlActionSchema, write: sqlActionSchema, dangerous: sqlActionSchema })
  .strict()
  .refine((p) => ACTION_STRICTNESS[p.read] <= ACTION_STRICTNESS[p.write] && ACTION_STRICTNESS[p.write] <= ACTION_STRICTNESS[p.dangerous], {
    message: 'SQL class policy must not be more lenient for a stricter class (read <= write <= dangerous)',
  });
export type SqlClassPolicy = z.infer<typeof sqlClassPolicySchema>;

export const DEFAULT_SQL_ROLE = 'support';

/** The default role `support`: reads run, writes need an approval, dangerous statements never run. */
export const SUPPORT_SQL_CLASS_POLICY: Readonly<SqlClassPolicy> = Object.freeze({
  read: 'allow',
  write: 'approve',
  dangerous: 'deny',
});

export interface SqlDecision {
  readonly action: SqlAction;
  /** null when the guard refused to classify. */
  readonly class: SqlClass | null;
  /** The finding's rule, 'read', or the refusal reason ('parse-error', 'unclassifiable', 'empty'). */
  readonly rule: string;
  readonly reason: string;
  /** UTF-16 offsets of the triggering part in the original text. */
  readonly location?: SqlRange;
  /** The triggering part itself, for display. */
  readonly excerpt?: string;
  /** Index of the statement that decided it, in a multi-statement text. */
  readonly statementIndex?: number;
}

const VERB: Readonly<Record<SqlAction, string>> = { allow: 'allowed', approve: 'needs approval', deny: 'denied' };

export function decideSql(classification: SqlClassification, classPolicy: SqlClassPolicy): SqlDecision {
  if (classification.kind === 'refused') {
    const where = classification.location ? ` at offset ${classification.location.start}` : '';
    return {
      action: 'deny',
      class: null,
      rule: classification.reason,
      reason: `refused (${classification.reason})${where}: ${classification.message}`,
      ...(classification.location ? { location: classification.location } : {}),
    };
  }
  const cls = classification.class;
  const action = classPolicy[cls];
  if (cls === 'read') {
    return { action, class: cls, rule: 'read', reason: `read ${VERB[action]}: every statement only reads` };
  }
  const index = classification.statements.findIndex((s) => s.class === cls);
  const statement = classification.statements[index];
  const finding = statement?.findings.find((f) => f.class === cls);
  if (!statement || !finding) {
    // A classified result always carries the finding behind its class; if not, fail closed.
    return { action: 'deny', class: cls, rule: 'inconsistent', reason: `${cls} without a finding: refusing` };
  }
  const excerpt = statement.text.slice(
    Math.max(0, finding.location.start - statement.location.start),
    Math.max(0, finding.location.end - statement.location.start),
  );
  const multi = classification.statements.length > 1 ? ` (statement ${index + 1} of ${classification.statements.length})` : '';
  return {
    action,
    class: cls,
    rule: finding.rule,
    reason: `${cls} ${VERB[action]}${multi}: ${finding.message} [rule ${finding.rule}] at "${excerpt}"`,
    location: finding.location,
    excerpt,
    statementIndex: index,
  };
}

