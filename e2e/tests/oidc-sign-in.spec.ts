import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startOidcProvider, type OidcTestServer } from '../../test-support/oidc/oidc-provider-server.js';
import { startConfiguredProcess, type GatehouseProcess } from '../support/demo-process.js';

/**
 * Configured mode end to end: `gatehouse start --config` with a real OpenID Provider
 * (oidc-provider on loopback). The app opens the provider's login page in a new tab; the user
 * signs in there; the loopback redirect brings the result back and the app shows who it is.
 * Started here rather than in the shared global setup, which serves the demo.
 */
let op: OidcTestServer;
let gatehouse: GatehouseProcess;
let dir: string;

test.beforeAll(async () => {
  op = await startOidcProvider();
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-oidc-'));
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(
    config,
    `signIn:
  issuer: ${op.issuer}
  clientId: ${op.clientId}
  audience: ${op.audience}
connections: []
`,
  );
  gatehouse = await startConfiguredProcess({ config, dataDir: join(dir, 'data') });
});

test.afterAll(async () => {
  await gatehouse?.stop();
  await op?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('signs in with OIDC in a browser tab, shows the name and roles, and signs out', async ({ page, context }) => {
  await page.goto(gatehouse.url);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('note')).toHaveCount(0); // no offline-demo banner in configured mode
  const signIn = page.getByTestId('identity-sign-in');
  await expect(signIn).toHaveText('Sign in');
  await expect(page.getByTestId('identity-switcher')).toHaveCount(0);

  const loginTab = context.waitForEvent('page');
  await signIn.click();
  const tab = await loginTab;
  await expect(page.getByTestId('identity-signing-in')).toBeVisible();

  // The provider's own login and consent pages, in the tab the app opened.
  await tab.waitForLoadState();
  expect(new URL(tab.url()).origin).toBe(op.issuer);
  await tab.locator('input[name="login"]').fill('ada');
  await tab.locator('input[name="password"]').fill('correct horse');
  await tab.getByRole('button', { name: 'Sign-in' }).click();
  await tab.getByRole('button', { name: 'Continue' }).click();
  await expect(tab.locator('body')).toContainText('Signed in — you can close this tab');
  expect(new URL(tab.url()).hostname).toBe('127.0.0.1');
  expect(new URL(tab.url()).pathname).toBe('/callback');

  await expect(page.getByTestId('identity-name')).toHaveText('Ada Admin');
  await expect(page.getByTestId('identity-roles')).toHaveText(/admin\s*support/);
  await expect(page.getByTestId('identity-signing-in')).toHaveCount(0);
  await tab.close();

  // Nothing token-like reached the page: the app's state holds names and roles only.
  const html = await page.content();
  expect(html).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);

  await page.getByTestId('identity-sign-out').click();
  await expect(page.getByTestId('identity-sign-in')).toHaveText('Sign in');
  await expect(page.getByTestId('identity-name')).toHaveCount(0);
  await expect(page.getByTestId('identity-notice')).toHaveCount(0); // a chosen sign-out needs no explanation
});

test('another window follows the sign-in and the sign-out', async ({ browser }) => {
  const first = await browser.newPage();
  await first.goto(gatehouse.url);
  const second = await browser.newPage();
  await second.goto(gatehouse.url);
  await expect(second.getByTestId('identity-sign-in')).toBeVisible();

  const loginTab = first.context().waitForEvent('page');
  await first.getByTestId('identity-sign-in').click();
  const tab = await loginTab;
  await expect(second.getByTestId('identity-signing-in')).toBeVisible();
  await tab.waitForLoadState();
  await tab.locator('input[name="login"]').fill('erin');
  await tab.locator('input[name="password"]').fill('x');
  await tab.getByRole('button', { name: 'Sign-in' }).click();
  await tab.getByRole('button', { name: 'Continue' }).click();
  await expect(second.getByTestId('identity-name')).toHaveText('Erin Engineer');
  await expect(second.getByTestId('identity-roles')).toHaveText('support');
  await tab.close();

  await second.getByTestId('identity-sign-out').click();
  await expect(first.getByTestId('identity-sign-in')).toHaveText('Sign in');
  await first.close();
  await second.close();
});
