/** EventHub without HTTP: who gets which frame, the heartbeat, and dropping a stuck client. */
import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicyYaml, type ApprovalRequest } from '@gatehouse/gateway-core';
import { EventHub } from '../src/events/event-hub.js';
import { TEST_POLICY_YAML } from './support/test-policy.js';

const doc = parsePolicyYaml(TEST_POLICY_YAML);

class FakeResponse extends Writable {
  chunks: string[] = [];
  stuck = false;
  destroyedByHub = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk.toString());
    if (!this.stuck) cb();
  }
  override destroy(): this {
    this.destroyedByHub = true;
    return super.destroy();
  }
  text(): string {
    return this.chunks.join('');
  }
}

const request = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  id: 'r_1', kind: 'sql', status: 'approved', connectionId: 'demo-postgres', requester: 'erin', requesterName: 'Erin', requesterRole: 'support',
  action: 'UPDATE t SET a = 1', actionHash: 'h', actionClass: 'write', rule: 'write', durationMinutes: null, justification: 'why not',
  requiredApprovals: 1, decisions: [], createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-01T01:00:00.000Z', decidedAt: null, usedAt: null,
  grant: { token: 'GRANT-TOKEN', expiresAt: '2026-01-01T00:15:00.000Z' }, ...over,
});

describe('EventHub', () => {
  let hub: EventHub | undefined;
  afterEach(() => hub?.close());

  it('sends the grant to the requester only, the event to deciders, and nothing to others', () => {
    hub = new EventHub(60_000);
    const [erin, ada, sam, erin2] = [new FakeResponse(), new FakeResponse(), new FakeResponse(), new FakeResponse()];
    hub.add({ subject: 'erin', groups: ['gh-support'], roles: ['support'], res: erin as unknown as ServerResponse });
    hub.add({ subject: 'erin', groups: ['gh-support'], roles: ['support'], res: erin2 as unknown as ServerResponse });
    hub.add({ subject: 'ada', groups: ['gh-admins'], roles: ['admin'], res: ada as unknown as ServerResponse });
    hub.add({ subject: 'sam', groups: ['gh-support'], roles: ['support'], res: sam as unknown as ServerResponse });
    hub.publishApproval(doc, request());
    expect(erin.text()).toMatch(/^event: approval\ndata: .*GRANT-TOKEN.*\n\n$/);
    expect(erin2.text()).toBe(erin.text());
    expect(ada.text()).toMatch(/^event: approval\n/);
    expect(ada.text()).not.toContain('GRANT-TOKEN');
    expect(JSON.parse(ada.text().split('data: ')[1] ?? '{}')).toMatchObject({ type: 'approval', request: { id: 'r_1', grant: null } });
    expect(sam.text()).toBe('');
    hub.publishPolicy(7);
    expect(sam.text()).toBe(`event: policy\ndata: {"type":"policy","version":7}\n\n`);
  });

  it('re-maps roles when the policy changes', () => {
    hub = new EventHub(60_000);
    const sam = new FakeResponse();
    hub.add({ subject: 'sam', groups: ['gh-support', 'gh-admins'], roles: ['support'], res: sam as unknown as ServerResponse });
    hub.publishApproval(doc, request());
    expect(sam.text()).toBe('');
    hub.remapRoles(() => ['admin']);
    hub.publishApproval(doc, request());
    expect(sam.text()).toMatch(/^event: approval/);
  });

  it('writes a heartbeat comment to every stream', async () => {
    hub = new EventHub(20);
    const a = new FakeResponse();
    hub.add({ subject: 'a', groups: [], roles: [], res: a as unknown as ServerResponse });
    await new Promise((r) => setTimeout(r, 80));
    expect(a.text()).toMatch(/^: keep-alive\n\n/);
  });

  it('drops a client that stopped reading instead of buffering without bound', () => {
    hub = new EventHub(60_000);
    const slow = new FakeResponse({ highWaterMark: 1 });
    slow.stuck = true;
    hub.add({ subject: 'erin', groups: [], roles: ['support'], res: slow as unknown as ServerResponse });
    const big = request({ justification: 'x'.repeat(1000), action: 'y'.repeat(90_000) });
    for (let i = 0; i < 20 && !slow.destroyedByHub; i++) hub.publishApproval(doc, big);
    expect(slow.destroyedByHub).toBe(true);
    expect(hub.size).toBe(0);
  });
});
