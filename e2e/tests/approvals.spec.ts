import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import pg from 'pg';
import { startOidcProvider, type OidcTestServer } from '../../test-support/oidc/oidc-provider-server.js';
import { startPostgres, type PostgresServer } from '../../test-support/postgres/postgres-server.js';
import { startSshd, type SshdServer } from '../../test-support/sshd/sshd-server.js';
import { approveFirstPending, expectCardStatus, inboxBadge, inboxItem, openInbox, pendingCard, requestShellApproval, requestSqlApproval, shellApprovalBar } from '../support/approvals.js';
import { startConfiguredProcess, startGatehouseProcess, type GatehouseProcess } from '../support/demo-process.js';
import { signInWithOidc } from '../support/oidc.js';
import { openSqlEditor, runAndWait, typeSql } from '../support/sql-editor.js';
import { openTerminal, run } from '../support/terminal.js';

/**
 * The approval loop as two people live it (issue 5): Erin the engineer and Ada the admin, each on
 * their own Gatehouse (two app processes, two browser contexts), both signed in with OIDC at a
 * real OpenID Provider, sharing one policy server (`gatehouse server`); the targets are a real
 * PostgreSQL 15 and a real sshd. Started here, not in the shared global setup, which serves the demo.
 */
const POLICY = `version: 1
roles:
  admin:
    connections: ["*"]
    sql: { read: allow, write: approve, dangerous: approve }
    approval: { approvers: [admin], required: 1 }
  support:
    connections: ["e2e-*"]
    sql: { read: allow, write: approve, dangerous: deny }
    shell:
      rules:
        - { id: touch-needs-approval, action: approve, program: [touch], reason: Creating files on this host needs approval }
    approval: { approvers: [admin], required: 1 }
`;

let dir: string;
let op: OidcTestServer;
let postgres: PostgresServer;
let sshd: SshdServer;
let server: GatehouseProcess;
let erinApp: GatehouseProcess;
let adaApp: GatehouseProcess;
let erin: Page;
let ada: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-approvals-'));
  [op, postgres, sshd] = await Promise.all([startOidcProvider(), startPostgres({ seed: 'demo' }), startSshd()]);
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  server = await startGatehouseProcess({
    args: ['server', '--port', '0', '--data', join(dir, 'policy-server'), '--issuer', op.issuer, '--audience', op.audience, '--policy', join(dir, 'policy.yaml')],
    urlLine: /policy server is running at (http:\/\/127\.0\.0\.1:\d+)/,
    dataDir: join(dir, 'policy-server'),
  });
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(
    config,
    `signIn: { issuer: "${op.issuer}", clientId: ${op.clientId}, audience: "${op.audience}" }
policyServer: { url: "${server.url}" }
connections:
  - { id: e2e-postgres, name: PostgreSQL 15 (e2e), type: postgres, host: 127.0.0.1, port: ${postgres.port}, database: ${postgres.database}, user: ${postgres.user}, secret: "env:GATEHOUSE_E2E_PG_PASSWORD", tls: { mode: disable } }
  - { id: e2e-ssh, name: OpenSSH (e2e), type: ssh, host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, auth: { method: key, privateKey: "file:${sshd.privateKeyPath}" }, hostKey: "${sshd.hostKeyFingerprint}" }
`,
  );
  const env = { GATEHOUSE_E2E_PG_PASSWORD: postgres.password };
  [erinApp, adaApp] = await Promise.all([
    startConfiguredProcess({ config, dataDir: join(dir, 'erin'), env }),
    startConfiguredProcess({ config, dataDir: join(dir, 'ada'), env }),
  ]);
  erin = await openSignedIn(browser, erinApp.url, 'erin', 'Erin Engineer');
  ada = await openSignedIn(browser, adaApp.url, 'ada', 'Ada Admin');
});

test.afterAll(async () => {
  await Promise.allSettled([erin?.context().close(), ada?.context().close()]);
  await Promise.allSettled([erinApp?.stop(), adaApp?.stop()]);
  await server?.stop();
  await Promise.allSettled([op?.stop(), postgres?.stop(), sshd?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openSignedIn(browser: Browser, url: string, login: string, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await signInWithOidc(page, login, name);
  return page;
}

async function cityOf(id: number): Promise<string> {
  const client = new pg.Client({ connectionString: postgres.superuserUrl });
  await client.connect();
  try {
    return (await client.query<{ city: string }>('SELECT city FROM customers WHERE id = $1', [id])).rows[0]!.city;
  } finally {
    await client.end();
  }
}

test('an UPDATE is held for Erin, Ada approves it in her inbox, and it runs once in Erin’s tab', async () => {
  const statement = "UPDATE customers SET city = 'Approved City' WHERE id = 11";
  const tab = await openSqlEditor(erin, 'e2e-postgres');
  await typeSql(erin, tab, statement);
  await runAndWait(erin, tab);
  const requestId = await requestSqlApproval(erin, tab, 'Ticket 1234: the customer moved', statement);
  await expectCardStatus(pendingCard(tab), 'pending');
  expect(await cityOf(11)).not.toBe('Approved City');

  // Ada's app is told at once: the badge counts it, the inbox shows the whole statement.
  await expect(inboxBadge(ada)).toHaveText('1');
  await openInbox(ada);
  await expect(inboxItem(ada, requestId)).toContainText(statement);
  await expect(inboxItem(ada, requestId)).toContainText('Ticket 1234: the customer moved');
  await approveFirstPending(ada, 'ticket checked', requestId);

  await expectCardStatus(pendingCard(tab), 'used');
  await expect(tab.getByTestId('sql-status')).toContainText(/UPDATE|1 row/i);
  expect(await cityOf(11)).toBe('Approved City');
  await expect(inboxBadge(ada)).toHaveCount(0);
});

test('a held shell line is sent once Ada approves it', async () => {
  const marker = join(sshd.homeDir, 'approved-by-ada');
  const term = await openTerminal(erin, 'e2e-ssh', null);
  await run(erin, term, `touch ${marker}`);
  await requestShellApproval(term, 'needs a marker file');
  expect(existsSync(marker)).toBe(false);

  await openInbox(ada);
  await expect(inboxItem(ada)).toContainText(`touch ${marker}`);
  await approveFirstPending(ada, 'ok');

  await expect(shellApprovalBar(term)).toContainText(/Approved — sent/);
  await expect.poll(() => existsSync(marker), { message: 'the approved line ran on the host', timeout: 15_000 }).toBe(true);
});
