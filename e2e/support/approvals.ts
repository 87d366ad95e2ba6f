import { expect, type Locator, type Page } from '@playwright/test';

/**
 * Page helpers for the approval loop (issue 5). They drive the UI by role and accessible name
 * where one exists: the dialog "Request approval", the field "Justification", the buttons
 * "Request approval" / "Approve" / "Deny", the field "Reason", the tab "Approvals" with its badge,
 * and the regions "Inbox", "Mine" and "History" of the approvals area.
 */

/** The request dialog (SQL statement, or access to a connection: its name is "Request access"). */
export const approvalDialog = (page: Page, name: 'Request approval' | 'Request access' = 'Request approval'): Locator => page.getByRole('dialog', { name });

/** The pending card of an editor tab (`currentTab(page)` from sql-editor.ts). */
export const pendingCard = (tab: Locator): Locator => tab.getByTestId('approval-card');

/**
 * After a run that came back "Needs approval": opens the dialog from the result panel, checks it
 * shows `expectStatement` when given, sends the justification, and returns the new request's id.
 */
export async function requestSqlApproval(page: Page, tab: Locator, justification: string, expectStatement?: string): Promise<string> {
  await expect(tab.getByTestId('sql-error')).toHaveAttribute('data-kind', 'refused');
  await tab.getByTestId('sql-request-approval').click();
  const dialog = approvalDialog(page);
  await expect(dialog).toBeVisible();
  if (expectStatement !== undefined) await expect(dialog.getByTestId('approval-statement')).toHaveText(expectStatement);
  await dialog.getByLabel('Justification').fill(justification);
  await dialog.getByRole('button', { name: 'Request approval' }).click();
  await expect(dialog).toBeHidden();
  const card = pendingCard(tab);
  await expect(card).toBeVisible();
  const id = await card.getAttribute('data-request-id');
  if (!id) throw new Error('the pending card has no request id');
  return id;
}

/**
 * The pending card's status: `status` is the machine value (pending, approved, used, denied,
 * cancelled, expired); `text` what the user reads ("Pending approval", "Approved — ran",
 * "Denied by Ada Admin: …").
 */
export async function pendingCardStatus(card: Locator): Promise<{ status: string; text: string }> {
  const el = card.getByTestId('approval-status');
  return { status: (await el.getAttribute('data-status')) ?? '', text: (await el.innerText()).trim() };
}

/** Waits until the card reaches `status` (e.g. 'used' once the approved statement ran). */
export async function expectCardStatus(card: Locator, status: string, timeout = 30_000): Promise<void> {
  await expect(card.getByTestId('approval-status')).toHaveAttribute('data-status', status, { timeout });
}

/** The workspace tab of the approvals area; its accessible name is "Approvals" plus "N pending" when there are any. */
export const approvalsTab = (page: Page): Locator => page.getByRole('tab', { name: /^Approvals/ });

/** The badge counting pending requests for this user (absent at zero). */
export const inboxBadge = (page: Page): Locator => approvalsTab(page).getByTestId('approvals-badge');

/** Opens the approvals area and returns its Inbox region (admins, or anyone with items to decide). */
export async function openInbox(page: Page): Promise<Locator> {
  await approvalsTab(page).click();
  await expect(approvalsTab(page)).toHaveAttribute('aria-selected', 'true');
  const inbox = page.getByRole('region', { name: 'Inbox' });
  await expect(inbox).toBeVisible();
  return inbox;
}

/** One pending item of the inbox; `requestId` picks a given request, otherwise the oldest. */
export function inboxItem(page: Page, requestId?: string): Locator {
  const items = page.getByRole('region', { name: 'Inbox' }).getByTestId('inbox-item');
  return requestId ? items.and(page.locator(`[data-request-id="${requestId}"]`)) : items.first();
}

async function decide(page: Page, decision: 'Approve' | 'Deny', reason: string, requestId?: string): Promise<string> {
  const item = inboxItem(page, requestId);
  await expect(item).toBeVisible();
  const id = await item.getAttribute('data-request-id');
  if (!id) throw new Error('the inbox item has no request id');
  await item.getByLabel('Reason').fill(reason);
  await item.getByRole('button', { name: decision, exact: true }).click();
  // Decided: it leaves the pending list (approvals.changed) and shows in History.
  await expect(page.getByRole('region', { name: 'Inbox' }).locator(`[data-testid="inbox-item"][data-request-id="${id}"]`)).toHaveCount(0);
  return id;
}

/** Approves the oldest pending item (or `requestId`) with a reason; returns the request id. */
export const approveFirstPending = (page: Page, reason: string, requestId?: string): Promise<string> => decide(page, 'Approve', reason, requestId);

/** Denies the oldest pending item (or `requestId`); a deny needs a reason, which the requester sees. */
export const denyFirstPending = (page: Page, reason: string, requestId?: string): Promise<string> => decide(page, 'Deny', reason, requestId);

/** The History row of a decided request. */
export const historyRow = (page: Page, requestId: string): Locator =>
  page.getByRole('region', { name: 'History' }).locator(`[data-testid="history-row"][data-request-id="${requestId}"]`);

/** A terminal pane's approval bar for a held line (`term` is the pane, data-testid terminal-container). */
export const shellApprovalBar = (term: Locator): Locator => term.getByTestId('terminal-approval-bar');

/** After a line was held ("approve" rule): sends it for approval; returns the request id. */
export async function requestShellApproval(term: Locator, justification: string): Promise<string> {
  const bar = shellApprovalBar(term);
  await expect(bar).toBeVisible();
  await bar.getByLabel('Justification').fill(justification);
  await bar.getByRole('button', { name: 'Request approval' }).click();
  const card = bar.getByTestId('terminal-approval-card');
  await expect(card).toBeVisible();
  const id = await card.getAttribute('data-request-id');
  if (!id) throw new Error('the shell approval card has no request id');
  return id;
}

/** Asks for time-boxed access to a by-request connection; returns the request id. */
export async function requestAccess(page: Page, connectionId: string, durationLabel: string, justification: string): Promise<string> {
  await page.getByTestId(`request-access-${connectionId}`).click();
  const dialog = approvalDialog(page, 'Request access');
  await dialog.getByLabel('Duration').selectOption({ label: durationLabel });
  await dialog.getByLabel('Justification').fill(justification);
  await dialog.getByRole('button', { name: 'Request access' }).click();
  const card = dialog.getByTestId('access-approval-card');
  await expect(card).toBeVisible();
  const id = await card.getAttribute('data-request-id');
  if (!id) throw new Error('the access card has no request id');
  return id;
}
