import { describe, expect, it, vi } from 'vitest';
import { BridgeDispatcher, type BridgeHandlers } from '../../src/bridge/bridge-dispatcher.js';
import { GatehouseError } from '../../src/bridge/gatehouse-error.js';
import { bridgeMethodNames } from '../../src/contract/bridge-contract.js';

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
});
