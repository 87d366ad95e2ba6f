import { describe, expect, it, vi } from 'vitest';
import { BridgeDispatcher, type BridgeHandlers } from '../../src/bridge/bridge-dispatcher.js';
import { GatehouseError } from '../../src/bridge/gatehouse-error.js';
import { bridgeMethodNames } from '../../src/contract/bridge-contract.js';
import { checkMaskedRows, MaskedCell } from '../../src/contract/sql-schemas.js';

const identity = { provider: 'demo' as const, current: null, switchable: [] };

function handlers(overrides: Partial<BridgeHandlers>): BridgeHandlers {
  const unused = async (): Promise<never> => {
    throw new Error('not used in this test');
  };
  const all = Object.fromEntries(bridgeMethodNames.map((m) => [m, unused])) as unknown as BridgeHandlers;
  return {
    ...all,
    'app.info': async () => ({ version: '1', mode: 'demo', shell: 'browser' }),
    'connections.list': async () => [],
    'identity.get': async () => identity,
    'identity.switch': async () => identity,
    ...overrides,
  };
}

describe('bridge dispatcher', () => {
  it('hides an unexpected error’s text from the renderer and logs it', async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
    const d = new BridgeDispatcher(
      handlers({ 'connections.list': async () => { throw new Error('connect to postgres://u:pw123@db failed'); } }),
      logger as never,
    );
    const result = await d.dispatch('connections.list', {});
    expect(result).toEqual({ error: { code: 'internal', message: 'Internal error in connections.list; see the Gatehouse log for details.' } });
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('passes a GatehouseError’s code and message through', async () => {
    const d = new BridgeDispatcher(handlers({ 'identity.switch': async () => { throw new GatehouseError('forbidden', 'not allowed'); } }), {} as never);
    expect(await d.dispatch('identity.switch', { identityId: 'x' })).toEqual({ error: { code: 'forbidden', message: 'not allowed' } });
  });

  it('refuses a handler output that breaks the contract instead of passing it on', async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
    const d = new BridgeDispatcher(
      handlers({ 'connections.list': async () => [{ id: 'x', secret: 'leak' }] as never }),
      logger as never,
    );
    expect(await d.dispatch('connections.list', {})).toMatchObject({ error: { code: 'internal' } });
  });

  describe('result rows (checked by hand, not by zod)', () => {
    const page = (rows: unknown): BridgeHandlers['sql.fetch'] => async () => ({ rows, hasMore: false, rowCount: 1, capped: false }) as never;
    const fetchWith = async (rows: unknown, logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() }) =>
      new BridgeDispatcher(handlers({ 'sql.fetch': page(rows) }), logger as never).dispatch('sql.fetch', { queryId: 'q' });

    it('passes valid pages on unchanged', async () => {
      const rows = [[{ v: 'a' }, { v: null }, { v: '***', m: 'email' }], []];
      expect(await fetchWith(rows)).toEqual({ ok: { rows, hasMore: false, rowCount: 1, capped: false } });
    });

    it('refuses a cell with any extra key, a wrong type, or a missing v', async () => {
      const bad: unknown[] = [
        { v: 'a', secret: 'x' },
        { v: 1 },
        { m: 'email' },
        { v: 'a', m: 3 },
        'a',
        null,
        ['a'],
        Object.assign(Object.create({ inherited: 1 }) as object, { v: 'a' }),
      ];
      for (const cell of bad) {
        const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
        expect(await fetchWith([[{ v: 'ok' }, cell]], logger)).toMatchObject({ error: { code: 'internal' } });
        expect(logger.error).toHaveBeenCalledTimes(1);
      }
      expect(await fetchWith([{ v: 'row, not array' }])).toMatchObject({ error: { code: 'internal' } });
      expect(await fetchWith('rows')).toMatchObject({ error: { code: 'internal' } });
      expect(await fetchWith([Object.assign(new Array(3), { 0: { v: 'a' }, 2: { v: 'b' } })])).toMatchObject({ error: { code: 'internal' } });
    });

    it('never passes on anything hung on a row array', async () => {
      const row = Object.assign([{ v: 'a' }], { secret: 'leak' });
      const result = await fetchWith([row]);
      expect(JSON.stringify(result)).not.toContain('leak');
      expect('ok' in result && Object.keys((result.ok as { rows: unknown[][] }).rows[0]!)).toEqual(['0']);
    });

    it('still validates (and strips) everything around the rows with zod', async () => {
      const d = (out: unknown) => new BridgeDispatcher(handlers({ 'sql.fetch': async () => out as never }), { error: vi.fn() } as never);
      expect(await d({ rows: [], hasMore: 'yes', rowCount: 0, capped: false }).dispatch('sql.fetch', { queryId: 'q' })).toMatchObject({ error: { code: 'internal' } });
      expect(await d({ rows: [], hasMore: false, rowCount: 0, capped: false, secret: 'x' }).dispatch('sql.fetch', { queryId: 'q' })).toEqual({
        ok: { rows: [], hasMore: false, rowCount: 0, capped: false },
      });
    });

    it('checks the rows of every sql.run result, and drops rows where the contract has none', async () => {
      const rowsResult = (rows: unknown) => ({
        status: 'rows', queryId: 'q', columns: [{ name: 'a', type: 'text' }], rows, hasMore: false, rowCount: 1, capped: false, rowCap: 10, durationMs: 1,
      });
      const run = (results: unknown[]) =>
        new BridgeDispatcher(handlers({ 'sql.run': async () => ({ results, notices: [] }) as never }), { error: vi.fn() } as never).dispatch('sql.run', { sessionId: 's', text: 'x' });
      const ok = await run([rowsResult([[{ v: 'a' }]]), { status: 'done', command: 'SET', rowCount: null, durationMs: 1, rows: [[{ v: 'smuggled' }]] }]);
      expect(ok).toEqual({ ok: { results: [rowsResult([[{ v: 'a' }]]), { status: 'done', command: 'SET', rowCount: null, durationMs: 1 }], notices: [] } });
      expect(await run([rowsResult([[{ v: 'a' }]]), rowsResult([[{ v: 'a', leak: 'x' }]])])).toMatchObject({ error: { code: 'internal' } });
      expect(await run([{ ...rowsResult([]), status: 'bogus' }])).toMatchObject({ error: { code: 'internal' } });
    });

    it('accepts exactly what the zod schema accepts for plain cells (never more)', () => {
      const values = [undefined, null, '', 'x', 0, true, {}];
      for (const v of values) {
        for (const m of values) {
          for (const extra of [false, true]) {
            const cell: Record<string, unknown> = { v, m };
            if (v === undefined) delete cell.v;
            if (m === undefined && values.indexOf(m) === 0) delete cell.m;
            if (extra) cell.x = 1;
            const ours = checkMaskedRows([[cell]]) !== null;
            const zod = MaskedCell.strict().safeParse(cell).success;
            expect(ours, JSON.stringify(cell)).toBe(zod);
          }
        }
      }
    });
  });
});
