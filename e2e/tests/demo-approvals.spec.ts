import { expect, test } from '@playwright/test';
import { approveFirstPending, expectCardStatus, inboxBadge, openInbox, pendingCard, requestSqlApproval } from '../support/approvals.js';
import { actAs, columnTexts, e2eUrl, openSqlEditor, runAndWait, typeSql } from '../support/sql-editor.js';

/**
 * The offline demo's approval loop on one laptop: Erin's write is held, the same person switches
 * to Ada (the demo's admin), approves it in the inbox, and the statement runs as Erin in Erin's
 * tab. The demo's policy server runs in-process; nothing here is configured.
 */
test('a held write in the demo runs once Ada approves it from the same app', async ({ page }) => {
  const city = `Approved ${Date.now()}`;
  const statement = `UPDATE customers SET city = '${city}' WHERE id = 42`;
  await page.goto(e2eUrl());
  await actAs(page, 'engineer');
  const tab = await openSqlEditor(page, 'demo-postgres');
  await typeSql(page, tab, statement);
  await runAndWait(page, tab);
  await requestSqlApproval(page, tab, 'Customer 42 moved (demo)', statement);

  await actAs(page, 'admin');
  await expect(inboxBadge(page)).toHaveText(/[1-9]/);
  await openInbox(page);
  await approveFirstPending(page, 'looks right');

  await page.getByRole('tab', { name: 'SQL editor', exact: true }).click();
  await expectCardStatus(pendingCard(tab), 'used');

  // Back as Erin, in the same tab: the row changed.
  await actAs(page, 'engineer');
  await typeSql(page, tab, 'SELECT id, city FROM customers WHERE id = 42');
  await runAndWait(page, tab);
  expect(await columnTexts(tab, 'city')).toEqual([city]);
});
