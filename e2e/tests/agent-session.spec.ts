import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import {
  createAgentCallRecorder,
  createMasker,
  DEMO_AGENT_IDENTITY,
  DEMO_IDENTITIES,
  DemoIssuer,
  RecordingUploader,
  SessionClient,
  type Logger,
} from '@gatehouse/gateway-core';
import { filterSessions, listedSessionIds, openSession, openSessionsArea, sessionRow } from '../support/sessions.js';
import { actAs, cardForms, e2eUrl, seededRawValues } from '../support/sql-editor.js';

/**
 * An AI agent's MCP tool call (issue 8) as a recorded session of kind `agent`: recorded with the
 * real recorder, uploaded by the real uploader to the running demo's policy server as the demo
 * agent identity, then found by Ada in the Sessions area as an "AI agent" call with its tool, and
 * replayed: who called which tool, the masked input, the decision and approvals, the masked
 * output. The seeded customer's raw email and card number, which the agent's input quoted, appear
 * nowhere on the page.
 */
// Letters only: a digit run could be masked as a phone number, and then not be searchable.
const tag = `agentcall${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 8)}`;
const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child: () => quiet } as unknown as Logger;

/** The running demo's policy server and the issuer that signs its demo identities' tokens. */
async function demoPolicyServer(): Promise<{ url: string; issuer: DemoIssuer }> {
  const dataDir = process.env.GATEHOUSE_E2E_DATA_DIR;
  if (!dataDir) throw new Error('GATEHOUSE_E2E_DATA_DIR is not set; run through playwright.config.ts');
  const serverFile = join(dataDir, 'demo-approvals', 'policy-server.json');
  const keyFile = join(dataDir, 'demo-approvals', 'issuer-key.json');
  // Both exist once the demo's policy server listens; opening the key before would create another.
  await expect.poll(() => existsSync(serverFile) && existsSync(keyFile), { timeout: 60_000, message: 'the demo policy server should be up' }).toBe(true);
  const { url } = JSON.parse(readFileSync(serverFile, 'utf8')) as { url: string };
  return { url, issuer: await DemoIssuer.openOrCreate(keyFile) };
}

test('an admin replays an AI agent’s recorded tool call: tool, masked input, decision, masked output', async ({ page }) => {
  const raw = seededRawValues(1);
  const email = raw.emails[0]!;
  const card = raw.cards[0]!;
  const masker = createMasker({ detectors: 'all', columns: {} });
  const maskedEmail = masker.maskText(email).text;
  expect(maskedEmail).not.toBe(email);

  // 1. The agent's call, recorded as the MCP server records it, into a spool of its own.
  const { url, issuer } = await demoPolicyServer();
  const spoolDir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-agent-spool-'));
  const sessionId = `agent-call-${tag}`;
  try {
    const rec = createAgentCallRecorder({
      path: join(spoolDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-agent-${sessionId}.agent.jsonl`),
      sessionId,
      user: DEMO_AGENT_IDENTITY.id,
      connectionId: 'demo-postgres',
      tool: 'query',
      client: 'e2e-agent/1.0',
      mcpSession: `mcp-${tag}`,
      logger: quiet,
    });
    rec.input({ sql: `UPDATE customers SET city = '${tag}' WHERE email = '${email}' RETURNING id, email`, note: `card on file ${card}` }, masker);
    rec.decision({ action: 'approved', class: 'write', rule: 'write', reason: 'writes need an admin’s approval', approvalId: `apr-${tag}` }, masker);
    rec.approval(`apr-${tag}`, 'used', 'approved by Ada Admin');
    rec.sqlResult({
      results: [{ status: 'rows', queryId: 'q1', columns: [{ name: 'id', type: 'int4' }, { name: 'email', type: 'text' }], rows: [[{ v: '1' }, { v: maskedEmail, m: 'email' }]], rowCount: 1, hasMore: false, capped: false, rowCap: 500, durationMs: 3 }],
      notices: [],
    });
    rec.output('result', `UPDATE 1: ${maskedEmail}`);
    await rec.close();

    // 2. Uploaded with the agent identity's token; removed from the spool once the server verified it.
    const client = new SessionClient({
      baseUrl: url,
      accessToken: async () => null,
      currentIdentity: () => null,
      accessTokenFor: async (id) => (id === DEMO_AGENT_IDENTITY.id ? issuer.tokenFor(DEMO_AGENT_IDENTITY) : null),
    });
    const uploader = new RecordingUploader({ spoolDir, transport: client, logger: quiet });
    const status = await uploader.drain();
    await uploader.close();
    expect(status, JSON.stringify(status.lastError)).toMatchObject({ uploaded: 1, rejected: 0, waitingForOwner: 0 });
    expect(readdirSync(spoolDir)).toEqual([]);
    const admin = DEMO_IDENTITIES.find((i) => i.id === 'admin')!;
    const [listed] = await client.list(await issuer.tokenFor(admin), { kind: 'agent', q: tag });
    expect(listed).toMatchObject({ id: sessionId, kind: 'agent', detail: 'query', user: 'agent', counts: { approved: 1, blocked: 0 } });
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
  }

  // 3. Ada finds it as an AI agent call with its tool, and replays it.
  await page.goto(e2eUrl());
  await actAs(page, 'admin');
  await openSessionsArea(page);
  await filterSessions(page, { q: tag, kind: 'agent' });
  expect(await listedSessionIds(page)).toEqual([sessionId]);
  const row = sessionRow(page, sessionId);
  await expect(row.getByTestId('session-kind')).toHaveAttribute('data-kind', 'agent');
  await expect(row.getByTestId('session-kind')).toContainText('AI agent');
  await expect(row.getByTestId('session-tool')).toHaveText('query');
  await expect(row).toContainText(DEMO_AGENT_IDENTITY.displayName);

  const player = await openSession(page, sessionId);
  const replay = player.getByTestId('agent-replay');
  await expect(replay.getByTestId('agent-identity')).toContainText(DEMO_AGENT_IDENTITY.displayName);
  await expect(replay.getByTestId('agent-client')).toHaveText('e2e-agent/1.0');
  await expect(replay.getByTestId('agent-tool')).toHaveText('query');
  const input = replay.getByTestId('agent-input');
  await expect(input).toContainText(`SET city = '${tag}'`);
  await expect(input).toContainText(maskedEmail);
  await expect(input).toContainText('••••');
  const decision = replay.getByTestId('agent-decision');
  await expect(decision).toHaveAttribute('data-action', 'approved');
  await expect(decision).toContainText('writes need an admin’s approval');
  await expect(replay.getByTestId('agent-approval-id')).toHaveText(`apr-${tag}`);
  await expect(replay.getByTestId('agent-approvals')).toContainText('used');
  const output = replay.getByTestId('agent-output');
  const cell = output.locator('[data-testid="grid-cell"][data-col="email"]').first();
  await expect(cell).toHaveAttribute('data-masked', 'email');
  await expect(cell).toContainText(maskedEmail);
  await expect(output.getByTestId('agent-output-text')).toHaveText(`UPDATE 1: ${maskedEmail}`);

  // The raw values the agent quoted are nowhere on the page: not in the text, not in the DOM.
  const html = await page.content();
  const text = await page.locator('body').innerText();
  for (const value of [email, ...cardForms(card)]) {
    expect(html.includes(value), 'a raw value in the DOM').toBe(false);
    expect(text.includes(value), 'a raw value in the page text').toBe(false);
  }
});
