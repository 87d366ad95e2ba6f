/**
 * The one storage seam of the policy server. Both backends (a `pg` pool and an embedded PGlite)
 * speak the same PostgreSQL dialect, so every query and migration is written once, and the same
 * test suite runs against both.
 *
 * Values cross this seam in a deliberately narrow form, because the two drivers parse types
 * differently (pg returns int8 as a string, PGlite as a number; both return timestamptz as Date):
 * callers pass timestamps as ISO strings and JSON as strings with explicit casts
 * (`$1::timestamptz`, `$2::jsonb`), and read rows through the helpers in ./rows.ts.
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  /** One statement with `$n` parameters; returns its rows. */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pg' | 'pglite';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Work
   * done with `tx` is isolated from other callers; do not use the outer Database inside `fn`.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PostgreSQL error codes the server reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';

export function pgErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
