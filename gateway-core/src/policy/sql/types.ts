/**
 * Public types of the SQL statement guard.
 *
 * Offsets in every `SqlRange` are UTF-16 code-unit indices into the ORIGINAL text, so that
 * `text.slice(start, end)` yields the triggering part. libpg-query reports byte offsets for AST
 * locations and code-point offsets for parse errors; both are converted before they leave the guard.
 */

export type SqlClass = 'read' | 'write' | 'dangerous';

export const SQL_CLASS_ORDER: Readonly<Record<SqlClass, number>> = Object.freeze({
  read: 0,
  write: 1,
  dangerous: 2,
});

export interface SqlRange {
  readonly start: number;
  readonly end: number;
}

export interface SqlFinding {
  readonly class: SqlClass;
  /** Stable id, e.g. 'delete-without-where', 'dangerous-function'. */
  readonly rule: string;
  /** Plain words, suitable for an approver or a refusal message. */
  readonly message: string;
  readonly location: SqlRange;
}

export interface SqlStatement {
  readonly text: string;
  readonly location: SqlRange;
  readonly class: SqlClass;
  readonly findings: readonly SqlFinding[];
  /** Top-level parse node name, e.g. 'SelectStmt'. */
  readonly statementType: string;
  /** Set for PREPARE so that a session can resolve a later EXECUTE of the same name. */
  readonly prepared?: { readonly name: string; readonly class: SqlClass };
}

export type SqlRefusalReason = 'parse-error' | 'unclassifiable' | 'empty';

export type SqlClassification =
  | {
      readonly kind: 'classified';
      readonly class: SqlClass;
      readonly statements: readonly SqlStatement[];
    }
  | {
      readonly kind: 'refused';
      readonly reason: SqlRefusalReason;
      readonly message: string;
      readonly location?: SqlRange;
    };

export interface ClassifyOptions {
  /**
   * Resolves the class of a statement prepared earlier in the same session (by a previous
   * PREPARE the guard classified). Without it, EXECUTE of a name not prepared in the same text
   * is unclassifiable. Results that consulted this lookup are never cached.
   */
  readonly preparedLookup?: (name: string) => SqlClass | undefined;
}

export function maxClass(a: SqlClass, b: SqlClass): SqlClass {
  return SQL_CLASS_ORDER[a] >= SQL_CLASS_ORDER[b] ? a : b;
}
