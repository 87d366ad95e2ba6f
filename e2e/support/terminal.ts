import { expect, type Locator, type Page } from '@playwright/test';

/**
 * Terminal helpers shared by the specs. The screen is read from xterm's DOM renderer
 * (`.xterm-rows`), exactly what a user sees.
 */

/** The visible rows of the active terminal, with xterm's non-breaking spaces made plain. */
export async function screenRows(term: Locator): Promise<string[]> {
  return term.locator('.xterm-rows').evaluate((rows) => Array.from(rows.children, (r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
}

export async function screen(term: Locator): Promise<string> {
  return (await screenRows(term)).join('\n');
}

export async function expectScreen(term: Locator, pattern: RegExp, timeout = 15_000): Promise<void> {
  await expect.poll(() => screen(term), { timeout, message: `terminal screen should match ${pattern}` }).toMatch(pattern);
}

/** Waits until the last non-empty row is a shell prompt (ends with $ or #). */
export async function waitForPrompt(term: Locator): Promise<void> {
  await expect
    .poll(async () => (await screenRows(term)).filter((r) => r.trim() !== '').pop() ?? '', { message: 'waiting for a shell prompt' })
    .toMatch(/[$#]$/);
}

export async function run(page: Page, term: Locator, line: string): Promise<void> {
  await waitForPrompt(term);
  await term.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  // As a user does: see the line echoed before pressing Enter. Playwright types far faster than
  // a person, and the guard (rightly) refuses a line whose keystrokes the screen has not shown yet.
  await expect
    .poll(async () => (await screenRows(term)).filter((r) => r.trim() !== '').pop() ?? '', { message: `waiting for the echo of ${line}` })
    .toContain(line);
  await page.keyboard.press('Enter');
}

/** Opens (or focuses) a terminal on the connection and waits for its shell. */
export async function openTerminal(page: Page, connectionId: string, workDir: string | null): Promise<Locator> {
  await page.getByTestId(`connection-${connectionId}`).click();
  const term = page.locator(`[data-testid="terminal-container"][data-active="true"][data-connection-id="${connectionId}"]`);
  await expect(term).toBeVisible();
  const tab = page.locator(`[data-testid="terminal-tab"][data-active="true"]`);
  const state = tab.getByTestId('terminal-state');
  // A real sshd may not be pinned in the e2e config: trust on first use, as a user would.
  const hostKey = term.getByTestId('terminal-hostkey-dialog');
  await expect(state.or(hostKey).first()).toBeVisible();
  await expect
    .poll(
      async () => {
        if (await hostKey.isVisible()) await hostKey.getByTestId('terminal-hostkey-accept').click();
        return state.getAttribute('data-state');
      },
      { message: 'the terminal should connect', timeout: 20_000 },
    )
    .toBe('connected');
  await waitForPrompt(term);
  if (workDir) await run(page, term, `cd '${workDir}' && clear`);
  return term;
}

