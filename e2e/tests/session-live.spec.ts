import { rmSync, writeFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { filterSessions, listedSessions, liveState, openSession, openSessionsArea, replayScreenRows, sessionRow } from '../support/sessions.js';
import { actAs, e2eUrl } from '../support/sql-editor.js';
import { expectScreen, openTerminal, run, screen } from '../support/terminal.js';

/**
 * Live view (issue 6): Erin has a terminal open in one window of the app; Ada, in another, finds
 * the session in Sessions while it runs, opens it and sees its output so far; output Erin's
 * shell prints later reaches Ada's view within a bounded wait (uploaded every ~2 s, polled every
 * ~1 s). Ada's view is read-only: what she types there reaches no session and her window sends
 * no terminal call at all. Erin closes the terminal; Ada's view says the session ended.
 *
 * The demo's identity is host-wide and a terminal takes input only from the identity that opened
 * it, so Erin types both commands before Ada's window switches to admin. Her second command waits
 * for a file this test creates, then prints the marker: the marker appears after Ada opened the
 * session, so it can only reach her through the live updates.
 */
// Letters only: a long digit run could be masked as a phone number.
const tag = Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 6);
/** The file Erin's waiting command looks for: short, so that the typed line fits one terminal row. */
const trigger = `/tmp/gl-${tag}`;
/** How long new output may take to reach the watcher: upload every 2 s, poll every 1 s, plus slack. */
const LIVE_BOUND_MS = 15_000;

const rowsOf = async (player: Locator): Promise<string[]> => (await replayScreenRows(player)).map((r) => r.trim());

/** Closing the tab ends the session, which seals its recording. */
async function closeActiveTerminal(page: Page): Promise<void> {
  await page.locator('[data-testid="terminal-tab"][data-active="true"]').getByTestId('terminal-tab-close').click();
}

test('an admin watches an engineer’s terminal session live, read-only, until it ends', async ({ page, context }) => {
  test.setTimeout(180_000);
  try {
    // Erin's window: a terminal, one command done, one waiting to print the marker.
    await page.goto(e2eUrl());
    await actAs(page, 'engineer');
    const term = await openTerminal(page, 'demo-ssh', null);
    await run(page, term, `echo live-first-${tag}`);
    await expectScreen(term, new RegExp(`^live-first-${tag}$`, 'm'));
    // The quotes keep the typed line from containing the marker the shell prints.
    await run(page, term, `until [ -e ${trigger} ];do sleep .2;done;echo live-mark""er-${tag}`);

    // Ada's window: the session is listed as live while it runs.
    const admin = await context.newPage();
    const sent: string[] = [];
    admin.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
    await admin.goto(e2eUrl());
    await actAs(admin, 'admin');
    await openSessionsArea(admin);
    let id = '';
    await expect
      .poll(
        async () => {
          await filterSessions(admin, { user: 'engineer', kind: 'terminal', connection: 'demo-ssh', includeLive: true });
          // Newest first: a live session of Erin's that started before this test would be further down.
          id = (await listedSessions(admin)).find((s) => s.status === 'uploading')?.id ?? '';
          return id;
        },
        { message: 'Erin’s running session should be listed as live', timeout: 30_000, intervals: [500, 1000, 2000] },
      )
      .not.toBe('');
    await expect(sessionRow(admin, id).locator('.live-badge')).toHaveText('Live');

    const player = await openSession(admin, id);
    expect(await liveState(player)).toBe('live');
    await expect(player.getByTestId('live-indicator')).toHaveText(/LIVE/);
    await expect.poll(() => rowsOf(player), { timeout: LIVE_BOUND_MS, message: 'the output so far should be on the live screen' }).toContain(`live-first-${tag}`);
    expect(await rowsOf(player)).not.toContain(`live-marker-${tag}`);
    await expect(player.getByTestId('replay-terminal')).toHaveAttribute('data-following', 'true');

    // Read-only: typing into the live view reaches no session.
    await player.getByTestId('replay-terminal').click();
    await admin.keyboard.type(`typed-by-ada-${tag}`);
    await admin.keyboard.press('Enter');

    // Erin's shell prints the marker now; Ada's view shows it within the bound.
    const printedAt = Date.now();
    writeFileSync(trigger, '');
    await expectScreen(term, new RegExp(`^live-marker-${tag}$`, 'm'));
    await expect.poll(() => rowsOf(player), { timeout: LIVE_BOUND_MS, message: 'new output should reach the live view' }).toContain(`live-marker-${tag}`);
    const latency = `${Date.now() - printedAt} ms from the shell printing to the watcher's screen`;
    test.info().annotations.push({ type: 'live latency', description: latency });
    console.log(`live view: ${latency}`);
    expect(await liveState(player)).toBe('live');
    expect(await screen(term)).not.toContain(`typed-by-ada-${tag}`);
    expect((await rowsOf(player)).join('\n')).not.toContain(`typed-by-ada-${tag}`);
    const calls = sent.map((f) => (JSON.parse(f) as { method?: string }).method ?? '');
    expect(calls).toContain('sessions.read');
    expect(calls.filter((m) => m.startsWith('terminal.'))).toEqual([]);

    // Looking back pauses following; "Go live" returns to the tail.
    await player.getByRole('button', { name: 'Pause' }).click();
    await expect(player.getByTestId('replay-terminal')).toHaveAttribute('data-following', 'false');
    await player.getByRole('button', { name: 'Go live' }).click();
    await expect(player.getByTestId('replay-terminal')).toHaveAttribute('data-following', 'true');
    await expect.poll(() => rowsOf(player)).toContain(`live-marker-${tag}`);

    // Erin closes the terminal: the recording is sealed, completed, and Ada's view says so.
    await closeActiveTerminal(page);
    await expect(player.getByTestId('live-indicator')).toHaveAttribute('data-state', 'ended', { timeout: 30_000 });
    await expect(player.getByTestId('live-indicator')).toHaveText('Ended');
    await expect(player.getByRole('button', { name: 'Go live' })).toHaveCount(0);
    await expect(sessionRow(admin, id)).toHaveAttribute('data-status', 'complete');
    // The normal replay works on the finished recording: from the start, the first output.
    await player.getByRole('slider', { name: 'Seek' }).fill('0');
    await expect.poll(() => rowsOf(player)).not.toContain(`live-marker-${tag}`);
    await player.getByRole('button', { name: 'Play' }).click();
    await player.getByLabel('Speed').selectOption('8');
    await expect.poll(() => rowsOf(player), { timeout: 30_000 }).toContain(`live-marker-${tag}`);
  } finally {
    rmSync(trigger, { force: true });
  }
});
