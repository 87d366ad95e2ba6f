import { expect, type Page } from '@playwright/test';

/**
 * Signs the page's app in through the test OpenID Provider, as a user would: Sign in opens the
 * provider's login page in a new tab; log in, consent, and the loopback redirect completes it.
 */
export async function signInWithOidc(page: Page, login: string, displayName: string): Promise<void> {
  const loginTab = page.context().waitForEvent('page');
  await page.getByTestId('identity-sign-in').click();
  const tab = await loginTab;
  await tab.waitForLoadState();
  await tab.locator('input[name="login"]').fill(login);
  await tab.locator('input[name="password"]').fill('correct horse');
  await tab.getByRole('button', { name: 'Sign-in' }).click();
  await tab.getByRole('button', { name: 'Continue' }).click();
  await expect(tab.locator('body')).toContainText('Signed in — you can close this tab');
  await tab.close();
  await expect(page.getByTestId('identity-name')).toHaveText(displayName);
}
