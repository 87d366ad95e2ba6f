import { expect, test } from '@playwright/test';
import { actAs } from '../support/sql-editor.js';

const url = (): string => {
  const value = process.env.GATEHOUSE_E2E_URL;
  if (!value) throw new Error('GATEHOUSE_E2E_URL is not set; run through playwright.config.ts');
  return value;
};

test('the demo opens with its connections, and identities switch', async ({ page }) => {
  await page.goto(url());
  await expect(page).toHaveURL(/\/$/); // the token was swapped for a cookie and left the address bar
  await expect(page.getByRole('note')).toContainText('Offline demo');

  const list = page.getByTestId('connection-list');
  const postgres = list.getByTestId('connection-demo-postgres');
  const ssh = list.getByTestId('connection-demo-ssh');
  await expect(postgres).toContainText('Postgres');
  await expect(postgres).toContainText('Production DB (demo)');
  await expect(postgres.getByTestId('connection-status')).toHaveText('Ready');
  await expect(ssh).toContainText('SSH');
  await expect(ssh.getByTestId('connection-status')).toHaveText('Ready');

  // The demo identity is host-wide and earlier specs may have left Ada in front: start from Erin.
  const switcher = page.getByTestId('identity-switcher');
  await actAs(page, 'engineer');
  await expect(page.getByTestId('identity-roles')).toHaveText('support');
  await switcher.selectOption('admin');
  await expect(page.getByTestId('identity-roles')).toHaveText(/admin\s*support/);

  await postgres.click();
  await expect(page.getByRole('tab', { name: 'SQL editor' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel')).toContainText('Production DB (demo)');
  await page.screenshot({ path: new URL('../../docs/screenshot.png', import.meta.url).pathname });

  await ssh.click();
  await expect(page.getByRole('tab', { name: 'Terminal' })).toHaveAttribute('aria-selected', 'true');
});

test('switching identity in one window shows in another', async ({ browser }) => {
  const first = await browser.newPage();
  await first.goto(url());
  const second = await browser.newPage();
  await second.goto(url());
  await expect(second.getByTestId('identity-switcher')).toBeVisible();
  const target = (await first.getByTestId('identity-switcher').inputValue()) === 'admin' ? 'engineer' : 'admin';
  await first.getByTestId('identity-switcher').selectOption(target);
  await expect(second.getByTestId('identity-switcher')).toHaveValue(target);
});

test('the theme toggles and is remembered', async ({ page }) => {
  await page.goto(url());
  const html = page.locator('html');
  const before = await html.getAttribute('data-theme');
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  const after = await html.getAttribute('data-theme');
  expect(after).not.toBe(before);
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', after ?? '');
});

test('the same address without the token is refused', async ({ playwright }) => {
  const bare = new URL(url());
  bare.search = '';
  const request = await playwright.request.newContext();
  const res = await request.get(bare.toString());
  expect(res.status()).toBe(403);
  const wrong = await request.get(`${bare.origin}/?token=wrong`);
  expect(wrong.status()).toBe(403);
  await request.dispose();
});
