/**
 * SSE fan-out at the scale the brief asks for: 500 open streams, one event, every stream that
 * may see it gets it, and none that may not. Also: a stream ends when its token expires.
 */
import { request, type ClientRequest } from 'node:http';
import { expect, it } from 'vitest';
import type { ApprovalRequest } from '@gatehouse/gateway-core';
import type { Harness } from '../support/harness.js';
import { openStream } from './sse-suite.js';

export function sseScaleSuite(harness: () => Harness): void {

  it('delivers one approval event to 250 approvers and 0 of 250 unrelated engineers', async () => {
    const h = harness();
    const adminToken = await h.client('ada').token();
    const engineerToken = await h.client('sam').token();
    const counts = { admin: 0, engineer: 0 };
    const requests: ClientRequest[] = [];
    const { port } = new URL(h.url);
    let id = '';
    const open = (token: string, who: keyof typeof counts): Promise<void> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/v1/events', headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const frame = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              if (frame.startsWith('event: approval') && id && frame.includes(id)) counts[who]++;
            }
          });
          res.on('error', () => undefined);
          resolve();
        });
        req.on('error', () => undefined);
        requests.push(req);
        req.end();
      });
    try {
      for (let i = 0; i < 250; i++) await Promise.all([open(adminToken, 'admin'), open(engineerToken, 'engineer')]);
      expect(h.server.eventStreams).toBe(500);
      const started = Date.now();
      const created = await h.client('erin').post<ApprovalRequest>('/v1/approvals', { kind: 'shell', connectionId: 'demo-ssh', action: 'apt-get remove nano', rule: 'no-package-changes', justification: 'clean up the host' });
      id = created.body.id;
      // The event was written before the POST answered; frames may still be in flight.
      await h.client('ada').post(`/v1/approvals/${id}/deny`, { reason: 'no' });
      while (counts.admin < 500 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
      expect(counts.admin).toBe(500); // created + denied, to each of 250
      expect(counts.engineer).toBe(0);
    } finally {
      for (const r of requests) r.destroy();
    }
  });

  it('ends a stream when the token it was opened with expires', async () => {
    const h = harness();
    const token = await h.issuer.token('erin', { groups: ['gh-support'], now: h.clock.now(), expiresInSeconds: 2 });
    const started = Date.now();
    const stream = await openStream(h.url, token);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref());
    expect(await Promise.race([stream.ended.then(() => 'ended' as const), timeout])).toBe('ended');
    // Ended by the server at the token's exp (about a second in), not by the test.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    stream.close();
  });
}
