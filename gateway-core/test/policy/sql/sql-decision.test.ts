import { beforeAll, describe, expect, it } from 'vitest';
import {
  classifySql,
  decideSql,
  DEFAULT_SQL_ROLE,
  initSqlGuard,
  sqlClassPolicySchema,
  SUPPORT_SQL_CLASS_POLICY,
  type SqlClassPolicy,
} from '../../../src/policy/sql/index.js';

beforeAll(async () => {
  await initSqlGuard();
});

const ALLOW_ALL: SqlClassPolicy = { read: 'allow', write: 'allow', dangerous: 'allow' };

describe('decideSql with the default support role', () => {
  it('is the support role: read allow, write approve, dangerous deny', () => {
    expect(DEFAULT_SQL_ROLE).toBe('support');
    expect(SUPPORT_SQL_CLASS_POLICY).toEqual({ read: 'allow', write: 'approve', dangerous: 'deny' });
    expect(Object.isFrozen(SUPPORT_SQL_CLASS_POLICY)).toBe(true);
  });

  it('allows reads', () => {
    const d = decideSql(classifySql('SELECT * FROM t'), SUPPORT_SQL_CLASS_POLICY);
    expect(d).toMatchObject({ action: 'allow', class: 'read', rule: 'read' });
    expect(d.location).toBeUndefined();
  });

  it('asks for approval of a write, naming the rule and the triggering text', () => {
    const sql = 'UPDATE public.orders SET status = 1 WHERE id = 7';
    const d = decideSql(classifySql(sql), SUPPORT_SQL_CLASS_POLICY);
    expect(d).toMatchObject({ action: 'approve', class: 'write', rule: 'update' });
    expect(d.reason).toContain('public.orders');
    expect(d.reason).toContain('[rule update]');
  });

  it('denies a dangerous statement and points at the dangerous part only', () => {
    const sql = "SELECT id, pg_read_file('/etc/passwd') FROM t";
    const d = decideSql(classifySql(sql), SUPPORT_SQL_CLASS_POLICY);
    expect(d).toMatchObject({ action: 'deny', class: 'dangerous', rule: 'dangerous-function' });
    expect(sql.slice(d.location!.start, d.location!.end)).toBe("pg_read_file('/etc/passwd')");
    expect(d.reason).toContain('dangerous denied');
    expect(d.reason).toContain("pg_read_file('/etc/passwd')");
  });

  it('picks the strictest finding when a statement has several', () => {
    const sql = "SELECT nextval('s'), pg_terminate_backend(1)";
    const d = decideSql(classifySql(sql), SUPPORT_SQL_CLASS_POLICY);
    expect(d.rule).toBe('dangerous-function');
    expect(d.excerpt).toBe('pg_terminate_backend(1)');
  });
});

describe('refusals always deny', () => {
  it.each([
    ['parse error', 'SELEC 1', 'parse-error'],
    ['unclassifiable', 'EXECUTE unseen', 'unclassifiable'],
    ['empty', '  ', 'empty'],
  ])('%s denies even under an allow-everything policy', (_name, sql, rule) => {
    const d = decideSql(classifySql(sql), ALLOW_ALL);
    expect(d.action).toBe('deny');
    expect(d.class).toBeNull();
    expect(d.rule).toBe(rule);
    expect(d.reason).toMatch(new RegExp(`^refused \\(${rule}\\)`));
  });

  it('carries the parser message and cursor for a parse error', () => {
    const sql = 'SELECT * FROM t WHERE';
    const d = decideSql(classifySql(sql), SUPPORT_SQL_CLASS_POLICY);
    expect(d.reason).toContain('syntax error at end of input');
    expect(d.location).toEqual({ start: sql.length, end: sql.length });
  });
});

describe('class policy schema', () => {
  it('accepts the support policy and a stricter auditor policy', () => {
    expect(sqlClassPolicySchema.parse(SUPPORT_SQL_CLASS_POLICY)).toEqual(SUPPORT_SQL_CLASS_POLICY);
    expect(sqlClassPolicySchema.safeParse({ read: 'allow', write: 'deny', dangerous: 'deny' }).success).toBe(true);
  });

  it('rejects unknown actions, missing classes and extra keys', () => {
    expect(sqlClassPolicySchema.safeParse({ read: 'allow', write: 'maybe', dangerous: 'deny' }).success).toBe(false);
    expect(sqlClassPolicySchema.safeParse({ read: 'allow', write: 'approve' }).success).toBe(false);
    expect(sqlClassPolicySchema.safeParse({ ...SUPPORT_SQL_CLASS_POLICY, unclassifiable: 'allow' }).success).toBe(false);
  });

  it('rejects a policy more lenient for a stricter class', () => {
    const r = sqlClassPolicySchema.safeParse({ read: 'allow', write: 'approve', dangerous: 'allow' });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0]?.message).toContain('read <= write <= dangerous');
  });

  it('applies a validated admin policy', () => {
    const admin = sqlClassPolicySchema.parse({ read: 'allow', write: 'allow', dangerous: 'approve' });
    expect(decideSql(classifySql('TRUNCATE t'), admin)).toMatchObject({ action: 'approve', class: 'dangerous' });
    expect(decideSql(classifySql('INSERT INTO t VALUES (1)'), admin).action).toBe('allow');
  });
});
