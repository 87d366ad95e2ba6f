/**
 * Statement shapes: which texts share a cached classification. A shape replaces only whole integer
 * literals after a comparison or LIMIT/OFFSET in texts of plain tokens; only a single read-only
 * SELECT is cached, and a cached shape gives the same verdict the guard gives the text itself.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createMasker } from '../../src/masking/index.js';
import { classifySql, initSqlGuard, SUPPORT_SQL_CLASS_POLICY } from '../../src/policy/sql/index.js';
import { StatementGuard } from '../../src/pg-listener/statement-guard.js';
import { cacheableByShape, literalShape, shapeCache } from '../../src/pg-listener/statement-shape.js';

beforeAll(() => initSqlGuard());

describe('literalShape', () => {
  it('replaces integers after comparisons and LIMIT/OFFSET', () => {
    expect(literalShape('SELECT abalance FROM pgbench_accounts WHERE aid = 48213;')).toBe('SELECT abalance FROM pgbench_accounts WHERE aid = \0;');
    expect(literalShape("select a from t where b >= 10 and c <> 'x=1' limit 5 offset 20")).toBe("select a from t where b >= \0 and c <> 'x=1' limit \0 offset \0");
    expect(literalShape('SELECT 1 FROM t WHERE a=1')).toBe('SELECT 1 FROM t WHERE a=\0');
  });

  it('has no shape for anything it does not lex plainly', () => {
    for (const sql of [
      'SELECT 1', // nothing to replace
      'SELECT a FROM t WHERE a = 1.5',
      'SELECT a FROM t WHERE a = 1e5',
      'SELECT a FROM t WHERE a = 0x1F',
      'SELECT a FROM t WHERE a = 1_000',
      'SELECT a FROM t WHERE a = 1234567890', // 10 digits: kept, and nothing else replaced
      'SELECT a FROM t WHERE a = $1',
      'SELECT a FROM t WHERE a = 1 -- comment',
      'SELECT a FROM t WHERE a = 1 /* c */',
      "SELECT a FROM t WHERE a = 1 AND b = E'\\\\'",
      "SELECT a FROM t WHERE a = 1 AND b = 'x\\\\y'",
      'SELECT "a" FROM t WHERE a = 1',
      'SELECT $$x$$ FROM t WHERE a = 1',
      'SELECT a FROM t WHERE a = 1 AND b = \'unterminated',
      'SELECT a FROM t WHERE a @> 1 AND b = 2',
      'SELECT a FROM tä WHERE a = 1',
      'SELECT a FROM t WHERE a = 1\0',
    ]) {
      expect(literalShape(sql), sql).toBeNull();
    }
  });

  it('caches only a single read-only SELECT', () => {
    const yes = ['SELECT a FROM t WHERE a = 1', 'WITH x AS (SELECT 1) SELECT * FROM x WHERE 1 = 2'];
    const no = ['SELECT a FROM t WHERE a = 1 FOR UPDATE', 'DELETE FROM t WHERE a = 1', 'SELECT a FROM t WHERE a = 1; SELECT 2', "SELECT set_config('x', 'y', false) WHERE 1 = 1",
      'EXPLAIN SELECT a FROM t WHERE a = 1', 'SET statement_timeout = 0', 'SELECT nextval(1) WHERE 1 = 1', 'SELECT a INTO b FROM t WHERE a = 1'];
    for (const sql of yes) expect(cacheableByShape(classifySql(sql)), sql).toBe(true);
    for (const sql of no) expect(cacheableByShape(classifySql(sql)), sql).toBe(false);
  });
});

describe('StatementGuard with shapes', () => {
  it('gives every text of a cached shape the verdict the guard gives that text', () => {
    shapeCache.clear();
    const masker = createMasker({ detectors: 'all' });
    const guard = new StatementGuard(() => ({ sql: SUPPORT_SQL_CLASS_POLICY, masker }));
    const texts = ['SELECT abalance FROM pgbench_accounts WHERE aid = 1', 'SELECT abalance FROM pgbench_accounts WHERE aid = 99999', 'SELECT abalance FROM pgbench_accounts WHERE aid = 0'];
    const verdicts = texts.map((t) => guard.check(t));
    expect(shapeCache.size).toBe(1);
    for (const [i, v] of verdicts.entries()) {
      const direct = classifySql(texts[i]!);
      expect(v).toMatchObject({ ok: true, class: direct.kind === 'classified' ? direct.class : null, rule: 'read' });
    }
    // A write of the same length and digits is a different shape (and is refused).
    expect(guard.check('DELETE FROM pgbench_accounts WHERE aid = 1')).toMatchObject({ ok: false, class: 'write' });
    // A dangerous function next to a literal: not cached, refused every time.
    expect(guard.check('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = 42')).toMatchObject({ ok: false });
    expect(guard.check('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = 43')).toMatchObject({ ok: false });
  });
});
