// `gatehouse mcp --demo --http`: the offline demo's connections as the demo's agent, over
// streamable HTTP with a bearer token, beside a "running demo app" whose policy server it joins,
// so that the app's admin decides what the agent asks for.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDENTITIES, DemoIssuer, PolicyServerClient } from '@gatehouse/gateway-core';
import { startDemoPolicyServer, type DemoPolicyServer } from '@gatehouse/policy-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPolicyServerFiles } from '../../src/cli/approvals-command.js';
import { CLI } from '../../../e2e/support/demo-process.js';

const TOKEN = 'mcp-http-test-token-0123456789abcdef';
const DB_PASSWORD = 'demo-db-password-for-the-mcp-leak-check';

let dataDir: string;
let appServer: DemoPolicyServer;
let admin: PolicyServerClient;
let child: ChildProcess;
let url: string;
let client: Client;
let stderr = '';

async function text(name: string, args: Record<string, unknown>): Promise<CallToolResult & { text: string }> {
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { ...r, text: r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n') };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-mcp-demo-'));
  // What a running demo app leaves in its data folder: its policy server's address and issuer key.
  const { serverFile, issuerKeyFile } = demoPolicyServerFiles(dataDir);
  mkdirSync(join(dataDir, 'demo-approvals'), { recursive: true });
  const issuer = await DemoIssuer.openOrCreate(issuerKeyFile);
  appServer = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks } });
  writeFileSync(serverFile, JSON.stringify({ url: appServer.url }));
  admin = new PolicyServerClient({ baseUrl: appServer.url, accessToken: () => issuer.tokenFor(DEMO_IDENTITIES.find((i) => i.id === 'admin')!) });

  child = spawn(process.execPath, [CLI, 'mcp', '--demo', '--http', '0', '--data-dir', dataDir], {
    env: { ...process.env, GATEHOUSE_CONFIG: '', GATEHOUSE_MCP_TOKEN: TOKEN, GATEHOUSE_DEMO_DB_PASSWORD: DB_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 150_000;
  while (!/listening on (http:\S+)/.test(stderr)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gatehouse mcp --demo --http did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  url = /listening on (http:\S+)/.exec(stderr)![1]!;
  client = new Client({ name: 'http-test-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
}, 180_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await appServer?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('gatehouse mcp --demo --http', () => {
  it('refuses requests without the bearer token, or with another one', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { ...headers, authorization: 'Bearer not-the-token' }, body })).status).toBe(401);
  });

  it('serves the demo connections as the demo agent', async () => {
    const r = await text('list_connections', {});
    expect(r.text).toContain('demo-postgres (PostgreSQL');
    expect(r.text).toContain('demo-ssh (SSH');
    expect(stderr).toMatch(/serving as Demo Agent \(MCP\) \(agent\)/);
  });

  it('masks what the agent reads', async () => {
    const r = await text('query', { connection: 'demo-postgres', sql: 'SELECT email, ssn FROM customers ORDER BY id LIMIT 3' });
    expect(r.isError).toBeFalsy();
    const rows = r.text.split('\n').slice(2, 5);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^\| \w•••@•••\.\w+ \| [•\d-]*•[•\d-]* \|$/);
  });

  it('holds what the agent role may not simply run, on the running app’s policy server, where the admin denies it', async () => {
    // The engineer's role allows `uname`; the stricter agent role allows only a short list of read-only commands.
    const held = await text('run_command', { connection: 'demo-ssh', command: 'uname -a', justification: 'which kernel?' });
    const { requestId } = held.structuredContent as { requestId: string };
    expect(held.structuredContent).toMatchObject({ status: 'pending_approval' });
    const request = await admin.getRequest(requestId);
    expect(request).toMatchObject({ requester: 'agent', kind: 'shell', action: 'uname -a', justification: 'which kernel?' });
    await admin.decide(requestId, 'deny', 'not needed');
    const status = await text('approval_status', { request_id: requestId, wait_seconds: 20 });
    expect(status.text).toContain('denied (not needed); nothing ran');
    // Allowed for the agent: no approval needed.
    const ls = await text('run_command', { connection: 'demo-ssh', command: 'ls' });
    expect(ls.text).toMatch(/^exit status 0/);
  });

  it('never prints the demo database password or the bearer token', () => {
    expect(stderr).not.toContain(DB_PASSWORD);
    expect(stderr).not.toContain(TOKEN);
  });
});
