import { describe, expect, it } from 'vitest';
import { classifySql, isSqlGuardReady, judgeFunction } from '../../../src/policy/sql/index.js';
import { LruCache } from '../../../src/policy/sql/lru.js';
import { OffsetMap } from '../../../src/policy/sql/offsets.js';

// This file deliberately never calls initSqlGuard(): the guard must refuse to run uninitialised.
describe('initialisation', () => {
  it('throws a clear error when used before initSqlGuard()', () => {
    expect(isSqlGuardReady()).toBe(false);
    expect(() => classifySql('SELECT 1')).toThrow(/initSqlGuard/);
  });
});

describe('OffsetMap', () => {
  it('is the identity for ASCII text', () => {
    const m = new OffsetMap('SELECT 1');
    expect(m.unitFromByte(7)).toBe(7);
    expect(m.unitFromCodePoint(7)).toBe(7);
    expect(m.byteLength).toBe(8);
  });

  it('converts UTF-8 byte offsets to UTF-16 offsets', () => {
    const text = "é日🙂x";
    const m = new OffsetMap(text);
    // bytes: é=2, 日=3, 🙂=4, x=1
    expect(m.byteLength).toBe(10);
    expect(m.unitFromByte(0)).toBe(0);
    expect(m.unitFromByte(2)).toBe(1);
    expect(m.unitFromByte(5)).toBe(2);
    expect(m.unitFromByte(9)).toBe(4);
    expect(text[m.unitFromByte(9)]).toBe('x');
    expect(m.unitFromByte(10)).toBe(5);
  });

  it('converts code-point offsets (parse error cursors) to UTF-16 offsets', () => {
    const m = new OffsetMap('🙂🙂x');
    expect(m.unitFromCodePoint(2)).toBe(4);
    expect(m.unitFromCodePoint(99)).toBe(5);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now most recent
    c.set('c', 3);
    expect(c.has('b')).toBe(false);
    expect(c.has('a')).toBe(true);
    expect(c.size).toBe(2);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});

describe('judgeFunction', () => {
  it.each([
    ['pg_read_file', 'dangerous'],
    ['PG_LS_WALDIR', 'dangerous'],
    ['dblink_connect_u', 'dangerous'],
    ['pg_drop_replication_slot', 'dangerous'],
    ['nextval', 'write'],
    ['pg_advisory_unlock_all', 'write'],
  ])('%s is %s', (name, cls) => {
    expect(judgeFunction(name)?.class).toBe(cls);
  });

  it.each(['lower', 'now', 'currval', 'pg_sleep', 'count', 'pg_backend_pid'])('%s is a plain read', (name) => {
    expect(judgeFunction(name)).toBeNull();
  });
});
