/** SSE: approval events reach the requester (with grant) and deciders (without), nobody else. */
import { expect, it } from 'vitest';
import { ServerEvent, type ApprovalRequest } from '@gatehouse/gateway-core';
import type { Harness } from '../support/harness.js';
import type { Person } from '../support/test-policy.js';

interface Stream {
  events: { event: string; data: ServerEvent }[];
  waitFor(pred: (e: ServerEvent) => boolean, ms?: number): Promise<ServerEvent>;
  /** Settles when the server ends the stream (or close() aborts it). */
  ended: Promise<void>;
  close(): void;
}

export async function openStream(url: string, token: string): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`SSE answered ${res.status}`);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: Stream['events'] = [];
  const waiters = new Set<() => void>();
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: ServerEvent.parse(JSON.parse(data)) });
          for (const w of waiters) w();
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    waitFor(pred, ms = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = events.find((e) => pred(e.data));
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit.data);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event in ${ms} ms; got ${JSON.stringify(events.map((e) => e.event))}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    ended,
    close: () => controller.abort(),
  };
}

export function sseSuite(h: () => Harness): void {
  it('pushes approval events to the requester and the approvers only', async () => {
    const open = async (p: Person): Promise<Stream> => openStream(h().url, await h().client(p).token());
    const [erin, ada, sam] = await Promise.all([open('erin'), open('ada'), open('sam')]);
    try {
      await waitUntil(() => h().server.eventStreams >= 3);
      const created = await h().client('erin').post<ApprovalRequest>('/v1/approvals', {
        kind: 'shell',
        connectionId: 'demo-ssh',
        action: 'apt-get install -y jq',
        rule: 'no-package-changes',
        justification: 'need jq to read a log',
      });
      const id = created.body.id;
      const isMine = (status: string) => (e: ServerEvent) => e.type === 'approval' && e.request.id === id && e.request.status === status;
      await erin.waitFor(isMine('pending'));
      await ada.waitFor(isMine('pending'));

      await h().client('ada').post(`/v1/approvals/${id}/approve`, { reason: 'ok' });
      const toErin = await erin.waitFor(isMine('approved'));
      const toAda = await ada.waitFor(isMine('approved'));
      expect(toErin.type === 'approval' && toErin.request.grant?.token).toBeTruthy();
      expect(toAda.type === 'approval' && toAda.request.grant).toBeNull();

      // A policy event goes to everyone; by the time Sam has it, Sam would have had the others.
      const current = (await h().client('ada').get<{ yaml: string }>('/v1/policy')).body.yaml;
      await h().client('ada').put('/v1/policy', { yaml: current, comment: 'touch' });
      await sam.waitFor((e) => e.type === 'policy');
      expect(sam.events.filter((e) => e.event === 'approval')).toEqual([]);
      await erin.waitFor((e) => e.type === 'policy');
    } finally {
      for (const s of [erin, ada, sam]) s.close();
    }
    await waitUntil(() => h().server.eventStreams === 0);
  });

  it('refuses an unauthenticated event stream (401 JSON)', async () => {
    const res = await fetch(`${h().url}/v1/events`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'unauthorized' });
  });
}

async function waitUntil(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
