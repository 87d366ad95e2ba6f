// `gatehouse mcp` driven by the MCP SDK's own client over stdio, as an AI agent's host would run
// it, against a real PostgreSQL 15, a real OpenSSH sshd and a policy server, as a service
// identity an admin created there. Every tool result and the server's log are searched for the
// credentials and for the raw values the masked results stand for.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDENTITIES, DemoIssuer, PolicyServerClient, verifyParsed, parseIndex } from '@gatehouse/gateway-core';
import { startDemoPolicyServer, type DemoPolicyServer } from '@gatehouse/policy-server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { startSshd, type SshdServer } from '../../../test-support/sshd/sshd-server.js';
import { CLI } from '../../../e2e/support/demo-process.js';

const FILE_EMAIL = 'mallory.agenttest@example.org';
const FILE_CARD = '4111 1111 1111 1111';
const PG_PASSWORD_ENV = 'GH_MCP_TEST_PG_PASSWORD';

let postgres: PostgresServer;
let sshd: SshdServer;
let policyServer: DemoPolicyServer;
let admin: PolicyServerClient;
let adminToken: () => Promise<string>;
let agentToken: string;
let dir: string;
let client: Client;
let stderr = '';
const answers: string[] = [];
/** Raw values of the rows the agent read, straight from PostgreSQL. */
let raw: { emails: string[]; cards: string[] };

function policyYaml(): string {
  // The bundled policy, with the agent role allowed onto this test's "prod" connections.
  const bundled = readFileSync(new URL('../../../app/policy/default-policy.yaml', import.meta.url), 'utf8');
  const agentConnections = '    connections: ["demo-*"]\n    sql: { read: allow, write: approve, dangerous: deny }\n    shell:\n      defaultAction: approve';
  if (!bundled.includes(agentConnections)) throw new Error('the agent role in default-policy.yaml changed; update this test');
  return bundled.replace(agentConnections, agentConnections.replace('["demo-*"]', '["demo-*", "prod-*"]'));
}

async function call(name: string, args: Record<string, unknown>, onprogress?: (p: { progress: number; message?: string }) => void): Promise<CallToolResult & { text: string }> {
  const r = (await client.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress, timeout: 120_000, resetTimeoutOnProgress: true } : { timeout: 60_000 })) as CallToolResult;
  const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  answers.push(text, JSON.stringify(r.structuredContent ?? {}));
  return { ...r, text };
}

beforeAll(async () => {
  [postgres, sshd] = await Promise.all([startPostgres({ seed: 'demo' }), startSshd()]);
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-mcp-'));
  const issuer = await DemoIssuer.create();
  policyServer = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }, initialPolicyYaml: policyYaml(), recordingsDir: join(dir, 'server-recordings') });
  const ada = DEMO_IDENTITIES.find((i) => i.id === 'admin')!;
  adminToken = () => issuer.tokenFor(ada);
  admin = new PolicyServerClient({ baseUrl: policyServer.url, accessToken: adminToken });
  agentToken = (await admin.createServiceIdentity({ name: 'ci-agent', displayName: 'CI Agent', groups: ['agent'] })).token;

  writeFileSync(join(sshd.homeDir, 'customers.csv'), `id,email,card\n1,${FILE_EMAIL},${FILE_CARD}\n`);
  const config = join(dir, 'connections.yaml');
  writeFileSync(
    config,
    [
      'connections:',
      `  - { id: prod-db, name: Production DB, type: postgres, host: 127.0.0.1, port: ${postgres.port}, database: ${postgres.database}, user: ${postgres.user}, secret: "env:${PG_PASSWORD_ENV}", tls: { mode: disable } }`,
      `  - { id: prod-box, name: prod-app-01, type: ssh, host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, auth: { method: key, privateKey: "file:${sshd.privateKeyPath}" }, hostKey: "${sshd.hostKeyFingerprint}" }`,
      `policyServer: { url: "${policyServer.url}" }`,
      '',
    ].join('\n'),
  );
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', '--config', config, '--data-dir', join(dir, 'data')],
    env: { ...(process.env as Record<string, string>), GATEHOUSE_CONFIG: '', GATEHOUSE_AGENT_TOKEN: agentToken, [PG_PASSWORD_ENV]: postgres.password },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'gatehouse-test-agent', version: '1.0.0' });
  await client.connect(transport);

  const direct = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: postgres.user, password: postgres.password, database: postgres.database });
  await direct.connect();
  const rows = (await direct.query<{ email: string; card_number: string }>(SELECT_CARDS)).rows;
  await direct.end();
  raw = { emails: rows.map((r) => r.email), cards: rows.map((r) => r.card_number) };
}, 120_000);

afterAll(async () => {
  await client?.close();
  await Promise.allSettled([postgres?.stop(), sshd?.stop(), policyServer?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SELECT_CARDS = 'SELECT c.email, p.card_number FROM customers c JOIN payment_cards p ON p.customer_id = c.id ORDER BY p.id LIMIT 5';

async function city(id: number): Promise<string> {
  const direct = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: postgres.user, password: postgres.password, database: postgres.database });
  await direct.connect();
  try {
    return (await direct.query<{ city: string }>('SELECT city FROM customers WHERE id = $1', [id])).rows[0]!.city;
  } finally {
    await direct.end();
  }
}

describe('gatehouse mcp over stdio', () => {
  it('offers the six tools, each with a JSON schema for its input', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['approval_status', 'describe_schema', 'list_connections', 'query', 'request_approval', 'run_command']);
    const query = tools.find((t) => t.name === 'query')!;
    expect(query.inputSchema.required).toEqual(expect.arrayContaining(['connection', 'sql']));
  });

  it('lists the connections this agent identity may use', async () => {
    const r = await call('list_connections', {});
    expect(r.isError).toBeFalsy();
    expect(r.text).toContain('prod-db (PostgreSQL');
    expect(r.text).toContain('prod-box (SSH');
  });

  it('describes tables and columns', async () => {
    const r = await call('describe_schema', { connection: 'prod-db', table: 'payment_cards' });
    expect(r.text).toMatch(/public\.payment_cards \(table[^)]*\): .*card_number text/);
  });

  it('query returns emails and card numbers masked', async () => {
    const r = await call('query', { connection: 'prod-db', sql: SELECT_CARDS });
    expect(r.isError).toBeFalsy();
    expect(r.text.split('\n')).toHaveLength(2 + 5 + 1);
    for (const v of [...raw.emails, ...raw.cards]) expect(r.text).not.toContain(v);
    // Cards keep their last four (the role's partial rule), emails their first letter.
    expect(r.text).toContain(`•••• ${raw.cards[0]!.replace(/\D/g, '').slice(-4)}`);
    expect(r.text).toContain(`${raw.emails[0]![0]}•••@`);
  });

  it('a DROP is refused with its reason, and nothing is dropped', async () => {
    const r = await call('query', { connection: 'prod-db', sql: 'DROP TABLE customers' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/^Refused by Gatehouse policy: .*DROP TABLE destroys objects/);
    expect(r.structuredContent).toMatchObject({ status: 'refused', rule: 'destructive-ddl' });
    expect(await city(1)).toBeTruthy();
  });

  it('an UPDATE with a WHERE is held; once an admin approves it on the policy server, the waiting call returns its result, run once', async () => {
    const before = await city(7);
    const progress: string[] = [];
    const waiting = call('query', { connection: 'prod-db', sql: "UPDATE customers SET city = city || '+' WHERE id = 7", justification: 'ticket T-7: fix the city', wait_seconds: 90 }, (p) =>
      progress.push(p.message ?? ''),
    );
    let pending;
    for (let i = 0; i < 100 && !pending; i++) {
      pending = (await admin.listRequests({ scope: 'all', status: 'pending' })).find((r) => r.action?.includes('WHERE id = 7'));
      if (!pending) await new Promise((r) => setTimeout(r, 200));
    }
    expect(pending).toMatchObject({ requester: 'svc:ci-agent', kind: 'sql', justification: 'ticket T-7: fix the city' });
    expect(await city(7)).toBe(before);
    await admin.decide(pending!.id, 'approve', 'ok for T-7');
    const r = await waiting;
    expect(r.isError).toBeFalsy();
    expect(r.text).toContain(`Approval request ${pending!.id} was approved; the held statement ran once`);
    expect(r.text).toContain('UPDATE (1 row)');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toContain(pending!.id);
    expect(await city(7)).toBe(`${before}+`);
    // Asking again returns the one run's result; nothing runs a second time.
    const again = await call('approval_status', { request_id: pending!.id });
    expect(again.text).toContain('ran once');
    expect(await city(7)).toBe(`${before}+`);
    expect((await admin.getRequest(pending!.id)).status).toBe('used');
  });

  it('a held action that is not waited for says so with its request id, and approval_status polls it', async () => {
    const r = await call('query', { connection: 'prod-db', sql: "UPDATE customers SET city = 'Nowhere' WHERE id = 8" });
    expect(r.isError).toBeFalsy();
    const id = (r.structuredContent as { requestId: string; status: string }).requestId;
    expect(r.structuredContent).toMatchObject({ status: 'pending_approval' });
    expect(r.text).toContain(`Approval request ${id}`);
    expect((await call('approval_status', { request_id: id })).text).toContain('still pending');
    await admin.decide(id, 'deny', 'no ticket');
    const denied = await call('approval_status', { request_id: id, wait_seconds: 20 });
    expect(denied.isError).toBe(true);
    expect(denied.text).toMatch(/denied \(no ticket\); nothing ran/);
    expect(await city(8)).not.toBe('Nowhere');
  });

  it('request_approval asks only for what the policy holds, and never runs an allowed action', async () => {
    const allowed = await call('request_approval', { connection: 'prod-db', sql: 'SELECT 1', justification: 'just checking' });
    expect(allowed.structuredContent).toMatchObject({ status: 'not_needed' });
    expect(allowed.text).toMatch(/needs no approval.*nothing ran/);
    const both = await call('request_approval', { connection: 'prod-db', sql: 'SELECT 1', command: 'ls', justification: 'x' });
    expect(both.isError).toBe(true);
    const held = await call('request_approval', { connection: 'prod-box', command: 'apt-get install -y cowsay', justification: 'ticket T-9: a banner' });
    const { requestId } = held.structuredContent as { requestId: string };
    expect(await admin.getRequest(requestId)).toMatchObject({ kind: 'shell', action: 'apt-get install -y cowsay', justification: 'ticket T-9: a banner', requester: 'svc:ci-agent' });
    await admin.decide(requestId, 'deny', 'not on prod');
    expect((await call('approval_status', { request_id: requestId, wait_seconds: 20 })).text).toContain('denied (not on prod); nothing ran');
  });

  it('run_command returns masked output and the exit status', async () => {
    const r = await call('run_command', { connection: 'prod-box', command: `cat ${join(sshd.homeDir, 'customers.csv')}` });
    expect(r.isError).toBeFalsy();
    expect(r.text).toMatch(/^exit status 0/);
    expect(r.text).toContain('id,email,card');
    expect(r.text).not.toContain(FILE_EMAIL);
    expect(r.text).not.toContain(FILE_CARD);
    const failing = await call('run_command', { connection: 'prod-box', command: 'ls /no-such-dir' });
    expect(failing.structuredContent).toMatchObject({ exitCode: 2 });
    expect(failing.text).toContain('--- stderr ---');
  });

  it('run_command with rm -rf / is refused, and nothing runs', async () => {
    const r = await call('run_command', { connection: 'prod-box', command: 'rm -rf /' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/^Refused by Gatehouse policy: recursive delete/);
  });

  it('every call is recorded as an agent session on the policy server, and each recording verifies', async () => {
    let sessions: Array<{ id: string; kind: string; detail: string | null; sealed: boolean | null; user: string }> = [];
    const token = await adminToken();
    for (let i = 0; i < 150; i++) {
      const res = await fetch(`${policyServer.url}/v1/sessions?kind=agent&limit=100`, { headers: { authorization: `Bearer ${token}` } });
      sessions = ((await res.json()) as { sessions: typeof sessions }).sessions;
      if (sessions.filter((s) => s.detail === 'run_command').length >= 3 && sessions.filter((s) => s.detail === 'query').length >= 4) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const tools = sessions.map((s) => s.detail);
    for (const t of ['list_connections', 'describe_schema', 'query', 'run_command', 'request_approval', 'approval_status']) expect(tools).toContain(t);
    for (const s of sessions) {
      expect(s).toMatchObject({ kind: 'agent', user: 'svc:ci-agent', sealed: true });
      const [body, index] = await Promise.all(['body', 'index'].map(async (part) => Buffer.from(await (await fetch(`${policyServer.url}/v1/sessions/${s.id}/${part}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer())));
      expect(verifyParsed(body!, parseIndex(index!))).toMatchObject({ intact: true, sealed: true });
    }
    // The held UPDATE's recording tells its whole story: held, approved, the result.
    const bodies = await Promise.all(sessions.filter((s) => s.detail === 'query').map(async (s) => (await fetch(`${policyServer.url}/v1/sessions/${s.id}/body`, { headers: { authorization: `Bearer ${token}` } })).text()));
    const held = bodies.find((b) => b.includes('WHERE id = 7'))!;
    expect(held).toMatch(/"type":"decision"[^}]*"action":"approve"/);
    expect(held).toMatch(/"type":"decision"[^}]*"action":"approved"/);
    for (const v of [...raw.emails, ...raw.cards]) for (const b of bodies) expect(b).not.toContain(v);
  });

  it('no tool result, recording or log line carries a credential or a raw value', () => {
    const log = readdirSync(join(dir, 'data', 'logs')).map((f) => readFileSync(join(dir, 'data', 'logs', f), 'utf8')).join('\n');
    const everything = [...answers, stderr, log].join('\n');
    expect(answers.length).toBeGreaterThan(10);
    expect(everything).not.toContain(postgres.password);
    expect(everything).not.toContain(agentToken);
    expect(everything).not.toContain(sshd.privateKey.split('\n')[1]!);
    for (const v of [...raw.emails, ...raw.cards, FILE_EMAIL, FILE_CARD]) expect(everything).not.toContain(v);
  });
});
