import { expect, type Locator, type Page } from '@playwright/test';
import * as fakerModule from '@faker-js/faker';
import { buildDataset, type Cell } from '../../gateway-core/src/demo/fake-data.js';

export const e2eUrl = (): string => {
  const value = process.env.GATEHOUSE_E2E_URL;
  if (!value) throw new Error('GATEHOUSE_E2E_URL is not set; run through playwright.config.ts');
  return value;
};

/** The demo identity sets the role (support vs admin); it is host-wide, so every test sets its own. */
export async function actAs(page: Page, identity: 'engineer' | 'admin'): Promise<void> {
  const switcher = page.getByTestId('identity-switcher');
  await expect(switcher).toBeVisible();
  if ((await switcher.inputValue()) !== identity) await switcher.selectOption(identity);
  await expect(switcher).toHaveValue(identity);
}

/** The visible editor tab (the others stay mounted but hidden). */
export const currentTab = (page: Page): Locator => page.locator('[data-testid="sql-tab"]:not([hidden])');

/** Opens (or returns to) the SQL editor tab of a connection and waits for Monaco. */
export async function openSqlEditor(page: Page, connectionId: string): Promise<Locator> {
  await page.getByTestId(`connection-${connectionId}`).click();
  const tab = currentTab(page);
  await expect(tab).toHaveAttribute('data-connection', connectionId);
  await expect(tab.getByTestId('sql-editor').locator('.monaco-editor')).toBeVisible();
  return tab;
}

/** Types into Monaco as a user would: select all, replace, dismiss the completion popup. */
export async function typeSql(page: Page, tab: Locator, text: string): Promise<void> {
  await tab.getByTestId('sql-editor').locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
  // Monaco auto-closes brackets and quotes, and typing the closing one steps over it, so the
  // model ends up with exactly `text`. Escape dismisses the completion popup.
  await page.keyboard.press('Escape');
}

export async function runAndWait(page: Page, tab: Locator): Promise<void> {
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(tab.getByTestId('sql-status')).toHaveAttribute('data-phase', 'done', { timeout: 30_000 });
}

/** Texts of one column's rendered cells (the grid is virtualised: only rows near the viewport exist). */
export async function columnTexts(tab: Locator, column: string): Promise<string[]> {
  return tab.getByTestId('results-grid').locator(`[data-testid="grid-cell"][data-col="${column}"]`).allInnerTexts();
}

export interface RawValues {
  emails: string[];
  cards: string[];
  ssns: string[];
}

/**
 * Raw sensitive values of the first seeded rows, computed here from the deterministic demo
 * generator (the same one that seeds the demo and e2e databases), never read back through the UI.
 */
export function seededRawValues(count = 200): RawValues {
  const tables = buildDataset(fakerModule);
  const table = (name: string): { columns: readonly string[]; rows: Cell[][] } => {
    const t = tables.find((x) => x.table === name);
    if (!t) throw new Error(`no ${name} in the demo dataset`);
    return t;
  };
  const column = (name: string, col: string): string[] => {
    const t = table(name);
    const i = t.columns.indexOf(col);
    return t.rows.slice(0, count).map((r) => String(r[i]));
  };
  return { emails: column('public.customers', 'email'), cards: column('public.payment_cards', 'card_number'), ssns: column('public.customers', 'ssn') };
}

/** A card number in any of the ways it could be written: bare, spaced or dashed. */
export function cardForms(pan: string): string[] {
  const groups = pan.length === 15 ? [4, 6, 5] : [4, 4, 4, 4];
  const parts: string[] = [];
  let at = 0;
  for (const g of groups) {
    parts.push(pan.slice(at, at + g));
    at += g;
  }
  return [pan, parts.join(' '), parts.join('-')];
}
