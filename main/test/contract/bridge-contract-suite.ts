import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BridgeEventName, BridgeEventPayload, Gateway, GatehouseBridge } from '@gatehouse/gateway-core';
import { createTestGateway, TEST_DB_PASSWORD } from '../support/test-gateway.js';

export interface TransportUnderTest {
  bridge: GatehouseBridge;
  close(): Promise<void>;
}

function nextEvent<E extends BridgeEventName>(bridge: GatehouseBridge, event: E): Promise<BridgeEventPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event`)), 5000);
    const off = bridge.subscribe(event, (payload) => {
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** The one contract suite: every transport must pass it unchanged. */
export function runBridgeContractSuite(transportName: string, connect: (gateway: Gateway) => Promise<TransportUnderTest>): void {
  describe(`bridge contract over ${transportName}`, () => {
    let gateway: Gateway;
    let transport: TransportUnderTest;

    beforeEach(async () => {
      gateway = createTestGateway();
      transport = await connect(gateway);
    });
    afterEach(async () => {
      await transport.close();
      await gateway.close();
    });

    it('reports the app info', async () => {
      const result = await transport.bridge.invoke('app.info', {});
      expect(result).toEqual({ ok: { version: '9.9.9', mode: 'configured', shell: 'browser' } });
    });

    it('lists connections with type, name and status, and no credential', async () => {
      const result = await transport.bridge.invoke('connections.list', {});
      if (!('ok' in result)) throw new Error(result.error.message);
      expect(result.ok.map((c) => [c.id, c.type, c.name, c.status])).toEqual([
        ['prod-db', 'postgres', 'Production DB', 'unknown'],
        ['web-1', 'ssh', 'Web 1', 'unknown'],
      ]);
      const json = JSON.stringify(result);
      expect(json).not.toContain('stored:db');
      expect(json).not.toContain(TEST_DB_PASSWORD);
    });

    it('pushes connection status changes as events', async () => {
      const event = nextEvent(transport.bridge, 'connections.changed');
      // Let the subscription reach the host before the change happens.
      await transport.bridge.invoke('app.info', {});
      gateway.registry.setStatus('prod-db', 'unreachable', 'connection refused');
      const list = await event;
      expect(list.find((c) => c.id === 'prod-db')).toMatchObject({ status: 'unreachable', statusDetail: 'connection refused' });
    });

    it('switches identity and announces it', async () => {
      const before = await transport.bridge.invoke('identity.get', {});
      expect(before).toMatchObject({ ok: { provider: 'demo', current: { id: 'engineer' } } });
      const event = nextEvent(transport.bridge, 'identity.changed');
      const after = await transport.bridge.invoke('identity.switch', { identityId: 'admin' });
      expect(after).toMatchObject({ ok: { current: { id: 'admin', roles: ['admin', 'support'] } } });
      expect((await event).current?.id).toBe('admin');
    });

    it('refuses an unknown identity with not_found', async () => {
      const result = await transport.bridge.invoke('identity.switch', { identityId: 'root' });
      expect(result).toMatchObject({ error: { code: 'not_found' } });
    });

    it('refuses malformed input with invalid_input and names the field', async () => {
      const bad = await transport.bridge.invoke('identity.switch', { identityId: 42 } as unknown as { identityId: string });
      expect(bad).toMatchObject({ error: { code: 'invalid_input' } });
      expect('error' in bad && bad.error.message).toContain('identityId');
      const extra = await transport.bridge.invoke('app.info', { sneaky: true } as unknown as Record<string, never>);
      expect(extra).toMatchObject({ error: { code: 'invalid_input' } });
    });

    it('opens only allowlisted https links, through the host', async () => {
      expect(await transport.bridge.invoke('app.openExternal', { url: 'https://github.com/gatehouse' })).toEqual({ ok: { opened: false } });
      for (const url of ['http://github.com/', 'https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://u:p@github.com/']) {
        expect(await transport.bridge.invoke('app.openExternal', { url }), url).toMatchObject({ error: { code: 'forbidden' } });
      }
    });

    it('refuses a method outside the contract', async () => {
      const result = await transport.bridge.invoke('secrets.dump' as 'app.info', {});
      expect(result).toMatchObject({ error: { code: 'unknown_method' } });
    });
  });
}
