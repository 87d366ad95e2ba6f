/**
 * Entry points: parse with the real PostgreSQL parser (libpg-query, WASM), walk each statement,
 * and turn byte locations into string offsets. Results are deep-frozen because they are shared
 * through the cache.
 */
import { hasSqlDetails, loadModule, parseSync, type RawStmt } from 'libpg-query';
import { nodeType, WalkContext, type NodeHandler } from './ast-walk.js';
import { expressionHandlers } from './expression-rules.js';
import { LruCache } from './lru.js';
import { OffsetMap } from './offsets.js';
import { sessionHandlers } from './session-rules.js';
import { statementHandlers } from './statement-rules.js';
import {
  maxClass,
  type ClassifyOptions,
  type SqlClass,
  type SqlClassification,
  type SqlFinding,
  type SqlRange,
  type SqlStatement,
} from './types.js';

export const SQL_CACHE_CAPACITY = 5000;
/** Huge texts (bulk INSERTs) are rarely repeated and would pin megabytes in the cache. */
export const SQL_CACHE_MAX_TEXT = 16 * 1024;

/** Every parse node type the guard knows; exported for the coverage test. */
export const SQL_NODE_HANDLERS: ReadonlyMap<string, NodeHandler> = new Map([
  ...expressionHandlers(),
  ...sessionHandlers(),
  ...statementHandlers(),
]);

const cache = new LruCache<string, SqlClassification>(SQL_CACHE_CAPACITY);
let loading: Promise<void> | null = null;
let loaded = false;

/** Loads the parser's WASM module. Idempotent; a failed load can be retried. */
export function initSqlGuard(): Promise<void> {
  loading ??= loadModule().then(
    () => {
      loaded = true;
    },
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

export function isSqlGuardReady(): boolean {
  return loaded;
}

/** Classifies an SQL text (one or more statements). Synchronous once `initSqlGuard()` resolved. */
export function classifySql(text: string, options: ClassifyOptions = {}): SqlClassification {
  if (!loaded) throw new Error('SQL guard is not initialised: await initSqlGuard() before classifySql()');
  if (typeof text !== 'string') throw new TypeError('classifySql expects a string');
  const hit = cache.get(text);
  if (hit) return hit;
  const { result, cacheable } = classifyUncached(text, options);
  const frozen = deepFreeze(result);
  if (cacheable && text.length <= SQL_CACHE_MAX_TEXT) cache.set(text, frozen);
  return frozen;
}

/** For tests and benchmarks. */
export function sqlCacheStats(): { size: number; capacity: number } {
  return { size: cache.size, capacity: cache.capacity };
}

export function clearSqlCache(): void {
  cache.clear();
}

interface Outcome {
  readonly result: SqlClassification;
  readonly cacheable: boolean;
}

function refused(reason: 'parse-error' | 'unclassifiable' | 'empty', message: string, location?: SqlRange): Outcome {
  return { result: location ? { kind: 'refused', reason, message, location } : { kind: 'refused', reason, message }, cacheable: true };
}

function classifyUncached(text: string, options: ClassifyOptions): Outcome {
  // The WASM parser reads a NUL-terminated C string: whatever follows a NUL would go unseen.
  const nul = text.indexOf('\0');
  if (nul >= 0) return refused('parse-error', 'the statement contains a NUL character', { start: nul, end: nul + 1 });
  // A lone surrogate has no UTF-8 encoding, so byte offsets would no longer match the text.
  const lone = /\p{Cs}/u.exec(text);
  if (lone) return refused('parse-error', 'the statement contains invalid UTF-16 (a lone surrogate)', { start: lone.index, end: lone.index + 1 });
  if (text.trim() === '') return refused('empty', 'the statement is empty');

  const offsets = new OffsetMap(text);
  let stmts: readonly RawStmt[];
  try {
    stmts = parseSync(text).stmts ?? [];
  } catch (err) {
    return parseFailure(err, offsets);
  }
  if (stmts.length === 0) return refused('empty', 'the statement contains only comments or semicolons');

  const prepared = new Map<string, SqlClass>();
  const statements: SqlStatement[] = [];
  let overall: SqlClass = 'read';
  let cacheable = true;
  for (const raw of stmts) {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : offsets.byteLength;
    const ctx = new WalkContext(SQL_NODE_HANDLERS, start, end, prepared, options.preparedLookup);
    ctx.walk(raw.stmt);
    if (ctx.dependsOnSession) cacheable = false;
    if (ctx.unknown) {
      return { result: { kind: 'refused', reason: 'unclassifiable', message: ctx.unknown.message, location: offsets.resolve(ctx.unknown.loc) }, cacheable };
    }
    const findings: SqlFinding[] = ctx.findings.map((f) => ({ class: f.class, rule: f.rule, message: f.message, location: offsets.resolve(f.loc) }));
    const cls = findings.reduce<SqlClass>((acc, f) => maxClass(acc, f.class), 'read');
    overall = maxClass(overall, cls);
    const location = trimRange(text, offsets.rangeFromBytes(start, end));
    const statementType = nodeType(raw.stmt) ?? 'unknown';
    const statement: SqlStatement = { text: text.slice(location.start, location.end), location, class: cls, findings, statementType };
    const name = statementType === 'PrepareStmt' ? (raw.stmt as { PrepareStmt?: { name?: unknown } }).PrepareStmt?.name : undefined;
    const preparedClass = typeof name === 'string' ? prepared.get(name) : undefined;
    statements.push(typeof name === 'string' && preparedClass ? { ...statement, prepared: { name, class: preparedClass } } : statement);
  }
  return { result: { kind: 'classified', class: overall, statements }, cacheable };
}

function parseFailure(err: unknown, offsets: OffsetMap): Outcome {
  if (hasSqlDetails(err) && err.sqlDetails) {
    // The parser reports the cursor in code points (PostgreSQL's own convention), not bytes.
    const start = offsets.unitFromCodePoint(err.sqlDetails.cursorPosition);
    const rest = offsets.text.slice(start);
    const token = /^(?:'[^']*'?|"[^"]*"?|[^\s;(),]+)/.exec(rest)?.[0] ?? '';
    const end = Math.min(offsets.text.length, start + Math.max(token.length, rest.length > 0 ? 1 : 0));
    return refused('parse-error', err.sqlDetails.message, { start, end });
  }
  return refused('parse-error', err instanceof Error ? err.message : 'the statement could not be parsed');
}

function trimRange(text: string, range: SqlRange): SqlRange {
  let { start, end } = range;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
