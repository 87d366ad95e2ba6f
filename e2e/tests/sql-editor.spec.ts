import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { actAs, cardForms, columnTexts, currentTab, e2eUrl, openSqlEditor, runAndWait, seededRawValues, typeSql } from '../support/sql-editor.js';

const raw = seededRawValues(100);
/** Anything that still looks like a whole card number: 13-19 digits, optionally grouped. */
const PAN = /\b\d(?:[ -]?\d){12,18}\b/;

test.beforeEach(async ({ page }) => {
  await page.goto(e2eUrl());
  await actAs(page, 'engineer');
});

test('a typed query shows masked emails and cards, badged', async ({ page }) => {
  const tab = await openSqlEditor(page, 'demo-postgres');
  await typeSql(page, tab, 'SELECT c.id, c.full_name, c.email, p.card_number FROM customers c JOIN payment_cards p ON p.customer_id = c.id ORDER BY p.id LIMIT 50');
  await runAndWait(page, tab);

  await expect(tab.getByTestId('sql-error')).toHaveCount(0);
  await expect(tab.getByTestId('sql-row-count')).toHaveText('50 rows');
  const grid = tab.getByTestId('results-grid');
  await expect(grid.getByTestId('grid-column')).toHaveText([/^id\s*(integer|int4)$/, /^full_name\s*text$/, /^email\s*text$/, /^card_number\s*text$/]);

  const cards = grid.locator('[data-testid="grid-cell"][data-col="card_number"]');
  const emails = grid.locator('[data-testid="grid-cell"][data-col="email"]');
  await expect(cards.first()).toHaveAttribute('data-masked', /\S/);
  await expect(emails.first()).toHaveAttribute('data-masked', /email/);
  await expect(cards.first()).toHaveAttribute('title', /^Masked: /);
  await expect(cards.first().locator('.mask-badge')).toBeVisible();

  const cardTexts = await columnTexts(tab, 'card_number');
  const emailTexts = await columnTexts(tab, 'email');
  expect(cardTexts.length).toBeGreaterThan(10);
  for (const t of cardTexts) expect(t).not.toMatch(PAN);
  for (const t of emailTexts) expect(t).not.toMatch(/^[^\s@•*]+@/); // the local part is hidden
  const shown = [...cardTexts, ...emailTexts].join('\n');
  for (const pan of raw.cards) for (const form of cardForms(pan)) expect(shown.includes(form), 'a seeded card number is on screen').toBe(false);
  for (const email of raw.emails) expect(shown.includes(email), 'a seeded email is on screen').toBe(false);
  // Unmasked columns are not badged.
  await expect(grid.locator('[data-testid="grid-cell"][data-col="full_name"][data-masked]')).toHaveCount(0);

  await page.screenshot({ path: new URL('../../docs/sql-editor.png', import.meta.url).pathname });

  // Copy a row through the context menu: the clipboard gets the masked text only.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await cards.first().click({ button: 'right' });
  await page.getByTestId('menu-copy-row').click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.split('\t')).toHaveLength(4);
  expect(copied).not.toMatch(PAN);
});

test('a DROP is refused with its reason, and the editor marks it', async ({ page }) => {
  const tab = await openSqlEditor(page, 'demo-postgres');
  await typeSql(page, tab, 'DROP TABLE customers');
  await runAndWait(page, tab);

  const error = tab.getByTestId('sql-error');
  await expect(error).toHaveAttribute('data-kind', 'refused');
  await expect(error).toHaveAttribute('data-class', 'dangerous');
  await expect(error).toContainText('Refused by policy');
  await expect(tab.getByTestId('sql-error-reason')).not.toBeEmpty();
  await expect(error).toContainText(/Rule\s*\S+/);
  await expect(tab.getByTestId('sql-status')).toContainText('Refused');
  // The squiggle sits on the DROP, in the editor.
  await expect(tab.getByTestId('sql-editor')).toHaveAttribute('data-marker-count', '1');
  await expect(tab.getByTestId('sql-editor').locator('.squiggly-error')).toHaveCount(1);

  // The table is still there.
  await typeSql(page, tab, 'SELECT count(*) AS n FROM customers');
  await runAndWait(page, tab);
  await expect(tab.getByTestId('sql-row-count')).toHaveText('1 row');
  await expect(tab.getByTestId('sql-editor')).toHaveAttribute('data-marker-count', '0');
});

test('a SQL error is shown in place with a marker at its position', async ({ page }) => {
  const tab = await openSqlEditor(page, 'demo-postgres');
  await typeSql(page, tab, 'SELECT no_such_column FROM customers');
  await runAndWait(page, tab);
  const error = tab.getByTestId('sql-error');
  await expect(error).toHaveAttribute('data-kind', 'error');
  await expect(error).toContainText('no_such_column');
  await expect(tab.getByTestId('sql-editor').locator('.squiggly-error')).toHaveCount(1);
});

test('a long pg_sleep is cancelled', async ({ page }) => {
  // PGlite cannot cancel a running statement; the real PostgreSQL 15 from global setup can.
  // The support role does not list e2e-* connections, so this runs as the admin identity.
  await actAs(page, 'admin');
  const tab = await openSqlEditor(page, 'e2e-postgres');
  await typeSql(page, tab, 'SELECT pg_sleep(30)');
  await page.keyboard.press('ControlOrMeta+Enter');

  const status = tab.getByTestId('sql-status');
  await expect(status).toHaveAttribute('data-phase', 'running');
  await expect(status).toContainText('Running');
  await expect(tab.getByTestId('sql-elapsed')).toHaveText(/^[1-9]\d*\.\d s$/, { timeout: 10_000 });
  await expect(tab.getByTestId('sql-run')).toBeDisabled();
  const cancelledAt = Date.now();
  await tab.getByTestId('sql-cancel').click();
  await expect(status).toHaveAttribute('data-phase', 'done', { timeout: 5_000 });
  expect(Date.now() - cancelledAt).toBeLessThan(5_000);
  await expect(status).toContainText('Cancelled');
  await expect(tab.getByTestId('sql-cancel')).toBeDisabled();
});

test('a table preview works from the schema sidebar, and history reopens it', async ({ page }) => {
  const tab = await openSqlEditor(page, 'demo-postgres');
  const item = page.locator('[data-testid="schema-item"][data-name="public.customers"]');
  await expect(item).toBeVisible();
  await item.click();
  await expect(tab.getByTestId('sql-status')).toHaveAttribute('data-phase', 'done', { timeout: 30_000 });
  await expect(tab.getByTestId('sql-status')).toContainText('Preview of public.customers');
  await expect(tab.getByTestId('sql-row-count')).toHaveText('100 rows');
  const grid = tab.getByTestId('results-grid');
  await expect(grid.locator('[data-testid="grid-cell"][data-col="email"]').first()).toHaveAttribute('data-masked', /email/);
  await expect(grid.locator('[data-testid="grid-cell"][data-col="ssn"]').first()).toHaveAttribute('data-masked', /\S/);

  // Columns with types unfold under the table.
  await page.getByRole('button', { name: 'Columns of public.customers' }).click();
  await expect(page.getByTestId('schema-column').filter({ hasText: 'email' })).toContainText('text');

  // The statement is in the (masked) history, and reopens into the editor.
  await tab.getByTestId('sql-history-toggle').click();
  const entry = tab.getByTestId('history-item').filter({ hasText: 'public.customers' }).first();
  await expect(entry).toBeVisible();
  await typeSql(page, tab, 'SELECT 42');
  await entry.click();
  await expect(tab.getByTestId('sql-editor').locator('.view-lines')).toContainText('customers');

  // Export of the current result: a masked CSV download.
  const download = page.waitForEvent('download');
  await tab.getByTestId('sql-export').click();
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8');
  expect(csv.split('\n')[0]).toContain('email');
  for (const email of raw.emails) expect(csv.includes(email), 'a seeded email in the export').toBe(false);
});

test('tabs keep their text across areas, and close', async ({ page }) => {
  const tab = await openSqlEditor(page, 'demo-postgres');
  await typeSql(page, tab, 'SELECT 7 AS kept');
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await page.getByRole('tab', { name: 'SQL editor' }).click();
  await expect(currentTab(page).getByTestId('sql-editor').locator('.view-lines')).toContainText('kept');
  const before = await page.getByTestId('editor-tab').count();
  await page.getByTestId('editor-tab-new').click();
  await expect(page.getByTestId('editor-tab')).toHaveCount(before + 1);
  await page.getByTestId('editor-tab-close').last().click();
  await expect(page.getByTestId('editor-tab')).toHaveCount(before);
});
