import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classifySql,
  clearSqlCache,
  decideSql,
  initSqlGuard,
  SUPPORT_SQL_CLASS_POLICY,
  sqlCacheStats,
  type SqlClassification,
} from '../../../src/policy/sql/index.js';
import { WalkContext } from '../../../src/policy/sql/ast-walk.js';
import { SQL_NODE_HANDLERS } from '../../../src/policy/sql/classifier.js';
import { SQL_CORPUS } from './sql-corpus.js';

beforeAll(async () => {
  await initSqlGuard();
});

function sliceAt(text: string, loc: { start: number; end: number } | undefined): string | undefined {
  return loc ? text.slice(loc.start, loc.end) : undefined;
}

describe('SQL corpus', () => {
  it('holds at least 120 cases with unique texts', () => {
    expect(SQL_CORPUS.length).toBeGreaterThanOrEqual(120);
    expect(new Set(SQL_CORPUS.map((c) => c.sql)).size).toBe(SQL_CORPUS.length);
  });

  it.each(SQL_CORPUS.map((c) => [c.why, c] as const))('%s', (_why, c) => {
    const result = classifySql(c.sql);
    const decision = decideSql(result, SUPPORT_SQL_CLASS_POLICY);
    if (c.expect.startsWith('refused:')) {
      expect(result.kind).toBe('refused');
      if (result.kind !== 'refused') return;
      expect(`refused:${result.reason}`).toBe(c.expect);
      expect(decision.action).toBe('deny');
      if (c.at !== undefined) expect(sliceAt(c.sql, result.location)).toBe(c.at);
      return;
    }
    expect(result.kind).toBe('classified');
    if (result.kind !== 'classified') return;
    expect(result.class).toBe(c.expect);
    if (c.rule !== undefined) expect(decision.rule).toBe(c.rule);
    if (c.at !== undefined) {
      expect(sliceAt(c.sql, decision.location)).toBe(c.at);
      expect(decision.excerpt).toBe(c.at);
    }
    for (const s of result.statements) {
      // Statement texts and every finding location must be exact views of the original text.
      expect(c.sql.slice(s.location.start, s.location.end)).toBe(s.text);
      for (const f of s.findings) {
        expect(f.location.start).toBeGreaterThanOrEqual(s.location.start);
        expect(f.location.end).toBeLessThanOrEqual(s.location.end);
        expect(f.location.end).toBeGreaterThan(f.location.start);
      }
    }
  });
});

describe('multi-statement texts', () => {
  it('reports each statement with its own class and the strictest overall', () => {
    const r = classifySql('SELECT 1; UPDATE t SET a = 1 WHERE id = 2; DROP TABLE x');
    expect(r.kind).toBe('classified');
    if (r.kind !== 'classified') return;
    expect(r.class).toBe('dangerous');
    expect(r.statements.map((s) => [s.statementType, s.class, s.text])).toEqual([
      ['SelectStmt', 'read', 'SELECT 1'],
      ['UpdateStmt', 'write', 'UPDATE t SET a = 1 WHERE id = 2'],
      ['DropStmt', 'dangerous', 'DROP TABLE x'],
    ]);
    expect(decideSql(r, SUPPORT_SQL_CLASS_POLICY).statementIndex).toBe(2);
  });

  it('refuses the whole text when any statement is unclassifiable', () => {
    const r = classifySql('SELECT 1; EXECUTE hidden');
    expect(r).toMatchObject({ kind: 'refused', reason: 'unclassifiable' });
    if (r.kind === 'refused') expect(sliceAt('SELECT 1; EXECUTE hidden', r.location)).toBe('EXECUTE hidden');
  });
});

describe('byte and character offsets', () => {
  it('maps byte locations after multi-byte characters to string offsets', () => {
    const sql = "SELECT 'ñandú', '日本語'; SELECT pg_read_file('x')";
    const r = classifySql(sql);
    if (r.kind !== 'classified') throw new Error('expected classified');
    const second = r.statements[1]!;
    expect(second.text).toBe("SELECT pg_read_file('x')");
    const f = second.findings[0]!;
    expect(sql.slice(f.location.start, f.location.end)).toBe("pg_read_file('x')");
    // The byte offset of the call is larger than its string offset; a missed conversion would shift it.
    expect(Buffer.byteLength(sql.slice(0, f.location.start))).toBeGreaterThan(f.location.start);
  });

  it('maps astral characters (two UTF-16 units, four bytes)', () => {
    const sql = "SELECT '🙂🙂'; DELETE FROM t";
    const r = classifySql(sql);
    if (r.kind !== 'classified') throw new Error('expected classified');
    expect(r.statements.map((s) => s.text)).toEqual(["SELECT '🙂🙂'", 'DELETE FROM t']);
  });
});

describe('prepared statements', () => {
  it('records the class of a PREPARE so the session can resolve EXECUTE later', () => {
    const r = classifySql('PREPARE upd(int) AS UPDATE t SET a = 1 WHERE id = $1');
    if (r.kind !== 'classified') throw new Error('expected classified');
    expect(r.statements[0]!.prepared).toEqual({ name: 'upd', class: 'write' });
  });

  it('resolves EXECUTE through the session lookup and never caches that result', () => {
    clearSqlCache();
    const withLookup = classifySql('EXECUTE upd(1)', { preparedLookup: (n) => (n === 'upd' ? 'write' : undefined) });
    expect(withLookup).toMatchObject({ kind: 'classified', class: 'write' });
    expect(sqlCacheStats().size).toBe(0);
    expect(classifySql('EXECUTE upd(1)')).toMatchObject({ kind: 'refused', reason: 'unclassifiable' });
    const readLookup = classifySql('EXECUTE upd(1)', { preparedLookup: () => 'read' });
    expect(readLookup).toMatchObject({ kind: 'classified', class: 'read' });
  });
});

describe('cache', () => {
  it('returns the same frozen result for the same text', () => {
    clearSqlCache();
    const a = classifySql('SELECT * FROM cached_t');
    const b = classifySql('SELECT * FROM cached_t');
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    if (a.kind === 'classified') expect(Object.isFrozen(a.statements[0]!.findings)).toBe(true);
    expect(sqlCacheStats().size).toBe(1);
  });

  it('is bounded at its capacity', () => {
    clearSqlCache();
    const { capacity } = sqlCacheStats();
    for (let i = 0; i < capacity + 50; i++) classifySql(`SELECT ${i}`);
    expect(sqlCacheStats().size).toBe(capacity);
    // The oldest entries were evicted: re-classifying one yields a new (equal) object.
    const first = classifySql('SELECT 0');
    expect(first).toEqual(classifySql('SELECT 0'));
  });

  it('caches refusals too (parse errors are deterministic)', () => {
    clearSqlCache();
    const a = classifySql('SELEC 1');
    expect(classifySql('SELEC 1')).toBe(a);
  });
});

describe('fail closed on unknown parse nodes', () => {
  it('marks a tree with an unknown node type as unclassifiable, pointing at it', () => {
    const ctx = new WalkContext(SQL_NODE_HANDLERS, 0, 30, new Map(), undefined);
    ctx.walk({ SelectStmt: { targetList: [{ ResTarget: { val: { FutureExpr: { location: 7 } } } }] } });
    expect(ctx.unknown?.message).toContain('FutureExpr');
    expect(ctx.unknown?.loc).toMatchObject({ start: 7 });
  });

  it('knows only node names the parser actually defines', () => {
    const typesPath = fileURLToPath(new URL('../../../../node_modules/@pgsql/types/types.d.ts', import.meta.url));
    const src = readFileSync(typesPath, 'utf8');
    const start = src.indexOf('export type Node =');
    const block = src.slice(start, src.indexOf('\nexport ', start + 10));
    const defined = new Set([...block.matchAll(/^\s+(\w+):/gm)].map((m) => m[1]));
    const unknown = [...SQL_NODE_HANDLERS.keys()].filter((k) => !defined.has(k));
    expect(unknown).toEqual([]);
    // Analysed-tree nodes must stay unknown: they never occur in raw parse trees.
    for (const t of ['Query', 'Var', 'FuncExpr', 'SetOperationStmt']) expect(SQL_NODE_HANDLERS.has(t)).toBe(false);
  });

  it('refuses absurdly deep nesting instead of overflowing', () => {
    // Parentheses leave no node behind, so nest real nodes: function calls.
    const sql = `SELECT ${'f('.repeat(2000)}1${')'.repeat(2000)}`;
    const r: SqlClassification = classifySql(sql);
    expect(r).toMatchObject({ kind: 'refused', reason: 'unclassifiable', message: expect.stringContaining('nested too deeply') });
    expect(classifySql(`SELECT ${'f('.repeat(200)}1${')'.repeat(200)}`)).toMatchObject({ kind: 'classified', class: 'read' });
  });
});
