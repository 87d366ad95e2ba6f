/**
 * Generic walk over a libpg-query parse tree.
 *
 * The tree is JSON: a node is an object with exactly one PascalCase key (`{ "FuncCall": {...} }`);
 * inline structs (`relation`, `intoClause`, ...) are objects with lower-case keys. The walker
 * descends into EVERY object and array, so a call hidden in a LATERAL subquery, an ORDER BY, a
 * column DEFAULT or a CTE body is seen. Each node type must have a handler: an unknown type makes
 * the statement unclassifiable (fail closed), which also covers node types added by future
 * parser versions.
 */
import type { ByteLocation } from './offsets.js';
import type { SqlClass } from './types.js';

export type AstObject = Readonly<Record<string, unknown>>;

export interface RawFinding {
  readonly class: Exclude<SqlClass, 'read'>;
  readonly rule: string;
  readonly message: string;
  readonly loc: ByteLocation;
  /** Statement effects are not run by plain EXPLAIN; function findings are kept regardless. */
  readonly source: 'statement' | 'function';
}

export type NodeHandler = (node: AstObject, ctx: WalkContext) => void;

/** Deeper than any sane query; beyond it we refuse instead of risking the JS stack. */
const MAX_DEPTH = 1500;

export class WalkContext {
  readonly findings: RawFinding[] = [];
  unknown: { readonly message: string; readonly loc: ByteLocation } | null = null;
  /** Where a finding points when its node carries no location of its own. */
  fallback: ByteLocation;
  /** Byte end of the statement being walked; spans never run past it. */
  readonly limit: number;
  /** Inside plain EXPLAIN: the wrapped statement is planned, not run. */
  suppressStatementEffects = false;
  /** Set when an EXECUTE refers to a statement prepared outside this text: the result must not be cached. */
  dependsOnSession = false;
  private depth = 0;

  constructor(
    private readonly handlers: ReadonlyMap<string, NodeHandler>,
    statementStart: number,
    statementEnd: number,
    /** Statements PREPAREd earlier in the same text, by name. */
    readonly prepared: Map<string, SqlClass>,
    readonly preparedLookup: ((name: string) => SqlClass | undefined) | undefined,
  ) {
    this.limit = statementEnd;
    this.fallback = { kind: 'range', start: statementStart, end: statementEnd };
  }

  emit(finding: RawFinding): void {
    if (this.suppressStatementEffects && (finding.source === 'statement' || finding.class === 'write')) return;
    this.findings.push(finding);
  }

  fail(message: string, loc: ByteLocation = this.fallback): void {
    this.unknown ??= { message, loc };
  }

  /** A location for a node: its own `location` when the parser recorded one, else the fallback. */
  locOf(node: AstObject, kind: 'call' | 'token' = 'token'): ByteLocation {
    const at = node['location'];
    return typeof at === 'number' && at >= 0 ? { kind, start: at, limit: this.limit } : this.fallback;
  }

  /** Runs `fn` with a narrower fallback location, restoring the outer one afterwards. */
  within(fallback: ByteLocation, fn: () => void): void {
    const outer = this.fallback;
    this.fallback = fallback;
    try {
      fn();
    } finally {
      this.fallback = outer;
    }
  }

  walk(value: unknown): void {
    if (this.unknown || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item);
      return;
    }
    const obj = value as AstObject;
    // Hot path: find out whether this is a single-key node wrapper without allocating a key array.
    let type = '';
    let count = 0;
    for (const key in obj) {
      if (count++ > 0) break;
      type = key;
    }
    const first = type.charCodeAt(0);
    if (count === 1 && first >= 65 && first <= 90) {
      this.visitNode(type, obj[type]);
      return;
    }
    this.walkChildren(obj);
  }

  /** Descends into every field of a node's body. */
  walkChildren(node: AstObject): void {
    for (const key in node) {
      const child = node[key];
      if (child !== null && typeof child === 'object') this.walk(child);
    }
  }

  private visitNode(type: string, body: unknown): void {
    const handler = this.handlers.get(type);
    const node = (body !== null && typeof body === 'object' ? body : {}) as AstObject;
    if (!handler) {
      this.fail(`the guard does not know the parse node ${type}`, this.locOf(node));
      return;
    }
    if (++this.depth > MAX_DEPTH) {
      this.fail('the statement is nested too deeply to classify', this.locOf(node));
    } else {
      handler(node, this);
    }
    this.depth--;
  }
}

/** A handler for nodes that carry no risk of their own; their children are still walked. */
export const neutral: NodeHandler = (node, ctx) => ctx.walkChildren(node);

/** Reads `node[key]` as a string, if it is one. */
export function str(node: AstObject, key: string): string | undefined {
  const v = node[key];
  return typeof v === 'string' ? v : undefined;
}

export function obj(node: AstObject, key: string): AstObject | undefined {
  const v = node[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as AstObject) : undefined;
}

export function arr(node: AstObject, key: string): readonly unknown[] {
  const v = node[key];
  return Array.isArray(v) ? v : [];
}

/** Unwraps `{ Type: body }` when the type matches. */
export function unwrap(value: unknown, type: string): AstObject | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const inner = (value as Record<string, unknown>)[type];
  return inner !== null && typeof inner === 'object' ? (inner as AstObject) : undefined;
}

/** The single node type of a wrapped node, e.g. 'DeleteStmt'. */
export function nodeType(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 ? keys[0] : undefined;
}

/** True when any node of one of `types` occurs below `value`, not descending into `skipKeys`. */
export function containsNode(value: unknown, types: ReadonlySet<string>, skipKeys: ReadonlySet<string>): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => containsNode(v, types, skipKeys));
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (types.has(key)) return true;
    if (skipKeys.has(key)) continue;
    if (containsNode(child, types, skipKeys)) return true;
  }
  return false;
}
