import { expect, type Locator, type Page } from '@playwright/test';

/**
 * Page helpers for the session player (issue 6). By role and name: the tab "Sessions", the
 * search form "Filter sessions" (fields "User", "Connection", "Kind", "From", "To", "Search",
 * checkboxes "Has blocked", "Has approval", "Live sessions", button "Apply filters"), the table
 * "Recorded sessions" (rows named "Session <id>"), and in the player the buttons "Play", "Pause",
 * "Next marker", "Previous marker", the selects "Speed" and "Idle time limit", the slider "Seek".
 * Test ids: `replay-terminal` (the xterm; data-seeking while a seek draws), `replay-time`,
 * `replay-marker` (data-kind guard|approval|notice|recording, data-time in seconds),
 * `session-open-error`, `sql-timeline-row` (data-decision), `sql-result-view`.
 * In the list: `session-kind` (data-kind terminal|sql|agent) and, for agent calls, `session-tool`.
 * An agent call's player (`agent-replay`): `agent-identity`, `agent-client`, `agent-tool`,
 * `agent-input` (pretty JSON), `agent-decision` (data-action), `agent-approval-id`,
 * `agent-approvals`, `agent-output` (the section: query results as `sql-result-view`,
 * `agent-output-text` with data-stream, `agent-error`, `agent-exit`).
 * Live view: rows have data-status uploading|complete; a player opened on an uploading session
 * has data-live="live" (then "ended"; "no" for one opened complete) and `live-indicator`
 * (data-state live|ended); the replay screen has data-following while it follows the newest
 * output; the button "Go live" follows again after a seek or pause.
 */

export interface SessionFilterInput {
  user?: string;
  /** A connection id (the select's option value). */
  connection?: string;
  kind?: 'terminal' | 'sql' | 'agent';
  /** `datetime-local` values, e.g. 2026-11-28T09:00. */
  from?: string;
  to?: string;
  q?: string;
  hasBlocked?: boolean;
  hasApproval?: boolean;
  includeLive?: boolean;
}

export async function openSessionsArea(page: Page): Promise<Locator> {
  await page.getByRole('tab', { name: 'Sessions' }).click();
  const area = page.getByTestId('sessions-area');
  await expect(area).toBeVisible();
  await expect(area.getByRole('status').first()).not.toHaveText('Loading sessions…');
  return area;
}

export const sessionsTable = (page: Page): Locator => page.getByRole('table', { name: 'Recorded sessions' });
export const sessionRow = (page: Page, id: string): Locator => page.locator(`[data-testid="session-row"][data-session-id="${id}"]`);

/** The ids of the rows shown, in display order. */
export async function listedSessionIds(page: Page): Promise<string[]> {
  return page.getByTestId('session-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id') ?? ''));
}

/** The rows shown, in display order (newest first by default), with their status. */
export async function listedSessions(page: Page): Promise<Array<{ id: string; status: string }>> {
  return page.getByTestId('session-row').evaluateAll((rows) => rows.map((r) => ({ id: r.getAttribute('data-session-id') ?? '', status: r.getAttribute('data-status') ?? '' })));
}

/** Fills the filters given (others untouched) and applies them; waits for the list to answer. */
export async function filterSessions(page: Page, f: SessionFilterInput): Promise<void> {
  const form = page.getByRole('search', { name: 'Filter sessions' });
  if (f.user !== undefined) await form.getByLabel('User').fill(f.user);
  if (f.connection !== undefined) await form.getByLabel('Connection').selectOption(f.connection);
  if (f.kind !== undefined) await form.getByLabel('Kind').selectOption(f.kind);
  if (f.from !== undefined) await form.getByLabel('From').fill(f.from);
  if (f.to !== undefined) await form.getByLabel('To').fill(f.to);
  if (f.q !== undefined) await form.getByLabel('Search').fill(f.q);
  if (f.hasBlocked !== undefined) await form.getByLabel('Has blocked').setChecked(f.hasBlocked);
  if (f.hasApproval !== undefined) await form.getByLabel('Has approval').setChecked(f.hasApproval);
  if (f.includeLive !== undefined) await form.getByLabel('Live sessions').setChecked(f.includeLive);
  await form.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('sessions-area').getByRole('status').first()).not.toHaveText('Loading sessions…');
}

/** The player of a session (whether or not it opened). */
export const sessionPlayer = (page: Page, id: string): Locator => page.locator(`[data-testid="session-player"][data-session-id="${id}"]`);

/**
 * Opens a session from the list and waits until its recording is loaded (or refused: then
 * `openError` has the message). Returns the player.
 */
export async function openSession(page: Page, id: string, timeout = 30_000): Promise<Locator> {
  await page.getByRole('button', { name: `Open session ${id}`, exact: true }).click();
  const player = sessionPlayer(page, id);
  await expect(player).toBeVisible();
  await expect
    .poll(async () => (await player.getAttribute('data-loaded')) === 'true' || (await player.getByTestId('session-open-error').isVisible()), { timeout, message: `session ${id} should load or be refused` })
    .toBe(true);
  return player;
}

/** The refusal shown when a session cannot be opened (e.g. another user's, for an engineer), or null. */
export async function openError(player: Locator): Promise<string | null> {
  const e = player.getByTestId('session-open-error');
  return (await e.isVisible()) ? ((await e.textContent()) ?? '') : null;
}

/** The player's live indicator: 'live', 'ended', or null when the session was opened complete. */
export async function liveState(player: Locator): Promise<string | null> {
  const state = await player.getAttribute('data-live');
  return state === 'no' ? null : state;
}

/** Waits until no seek is being drawn. */
export async function settled(player: Locator): Promise<void> {
  await expect(player.getByTestId('replay-terminal')).toHaveAttribute('data-seeking', 'false');
}

/** Clicks "Next marker" (or "Previous marker") and waits for the screen; returns the new replay time text. */
export async function seekToMarker(player: Locator, dir: 'next' | 'previous' = 'next'): Promise<string> {
  await player.getByRole('button', { name: dir === 'next' ? 'Next marker' : 'Previous marker' }).click();
  await settled(player);
  return (await player.getByTestId('replay-time').textContent()) ?? '';
}

/** Seeks to the first marker of a kind (e.g. 'guard' for a decision) by clicking its tick. */
export async function seekToMarkerOfKind(player: Locator, kind: 'guard' | 'approval' | 'notice' | 'recording', nth = 0): Promise<void> {
  await player.locator(`[data-testid="replay-marker"][data-kind="${kind}"]`).nth(nth).click();
  await settled(player);
}

/** The replay screen's visible rows, as xterm's DOM renderer shows them. */
export async function replayScreenRows(player: Locator): Promise<string[]> {
  await settled(player);
  return player
    .getByTestId('replay-terminal')
    .locator('.xterm-rows')
    .evaluate((rows) => Array.from(rows.children, (r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
}

export async function replayScreen(player: Locator): Promise<string> {
  return (await replayScreenRows(player)).join('\n');
}
