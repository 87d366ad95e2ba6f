import { expect, test, type Page } from '@playwright/test';
import { filterSessions, listedSessionIds, type SessionFilterInput, openSession, openSessionsArea, replayScreen, seekToMarkerOfKind } from '../support/sessions.js';
import { actAs, e2eUrl } from '../support/sql-editor.js';
import { openTerminal, run, expectScreen } from '../support/terminal.js';

/**
 * Recording and replay in the demo (issue 6): Erin's terminal session is recorded, uploaded to
 * the demo's policy server when it ends, and Ada replays it from the Sessions area, seeking to
 * the guard's decision. Erin cannot read Ada's sessions: the policy server refuses, not only the UI.
 */
// Letters only: a long digit run could be masked as a phone number, and then not be searchable.
const tag = `replay-check-${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 8)}`;

/** Closing the tab ends the session, which seals its recording for upload. */
async function closeActiveTerminal(page: Page): Promise<void> {
  await page.locator('[data-testid="terminal-tab"][data-active="true"]').getByTestId('terminal-tab-close').click();
}

async function findSession(page: Page, filter: SessionFilterInput): Promise<string> {
  await openSessionsArea(page);
  let ids: string[] = [];
  await expect
    .poll(
      async () => {
        await filterSessions(page, filter);
        ids = await listedSessionIds(page);
        return ids.length;
      },
      { message: `a recorded session (${JSON.stringify(filter)}) should be listed once uploaded`, timeout: 60_000, intervals: [1000, 2000, 3000] },
    )
    .toBeGreaterThan(0);
  return ids[0]!;
}

test('an admin replays an engineer’s terminal session and sees the screen at the guard’s decision', async ({ page }) => {
  await page.goto(e2eUrl());
  await actAs(page, 'engineer');
  const term = await openTerminal(page, 'demo-ssh', null);
  await run(page, term, `echo ${tag}`);
  await run(page, term, 'rm -rf /');
  await expectScreen(term, /\[Gatehouse\] blocked/);
  await closeActiveTerminal(page);

  await actAs(page, 'admin');
  const id = await findSession(page, { q: tag });
  const player = await openSession(page, id);
  await seekToMarkerOfKind(player, 'guard', 1);
  const screen = await replayScreen(player);
  expect(screen).toContain(tag);
  expect(screen).toContain('[Gatehouse] blocked');

  // Erin may not read it back as someone else's would be: here the reverse, Ada's session for Erin.
  // Selecting another connection and back opens a fresh terminal (the first one was closed).
  await page.getByTestId('connection-demo-postgres').click();
  const adaTerm = await openTerminal(page, 'demo-ssh', null);
  await run(page, adaTerm, `echo ada-${tag}`);
  await closeActiveTerminal(page);
  const adaSession = await findSession(page, { q: '', user: 'admin', kind: 'terminal' });

  await actAs(page, 'engineer');
  // Asked for directly over the bridge socket (as a tampered UI would), the policy server refuses.
  const refused = await page.evaluate(
    (sessionId) =>
      new Promise<{ error?: { code: string; message: string } }>((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/bridge`);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'call', id: 1, method: 'sessions.read', input: { sessionId, part: 'body', offset: 0 } }));
        ws.onerror = () => reject(new Error('bridge socket failed'));
        ws.onmessage = (m: MessageEvent<string>) => {
          const frame = JSON.parse(m.data) as { type: string; id?: number; result?: { error?: { code: string; message: string } } };
          if (frame.type === 'result' && frame.id === 1) {
            ws.close();
            resolve(frame.result ?? {});
          }
        };
      }),
    adaSession,
  );
  expect(refused.error?.code).toBe('forbidden');
  await openSessionsArea(page);
  await filterSessions(page, { q: '', user: '' });
  const listed = await listedSessionIds(page);
  expect(listed).toContain(id);
  expect(listed).not.toContain(adaSession);
});
