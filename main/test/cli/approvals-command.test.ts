// `gatehouse approvals list|approve|deny` against a running demo's policy server, as an admin
// would use it from a terminal beside the app.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_IDENTITIES, DemoIssuer, PolicyServerClient } from '@gatehouse/gateway-core';
import { startDemoPolicyServer, type DemoPolicyServer } from '@gatehouse/policy-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPolicyServerFiles } from '../../src/cli/approvals-command.js';
import { gatehouse } from './run-cli.js';

let dataDir: string;
let server: DemoPolicyServer;
let engineer: PolicyServerClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-approvals-cli-'));
  const { serverFile, issuerKeyFile } = demoPolicyServerFiles(dataDir);
  mkdirSync(join(dataDir, 'demo-approvals'), { recursive: true });
  const issuer = await DemoIssuer.openOrCreate(issuerKeyFile);
  server = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks } });
  writeFileSync(serverFile, JSON.stringify({ url: server.url }));
  const erin = DEMO_IDENTITIES.find((i) => i.id === 'engineer')!;
  engineer = new PolicyServerClient({ baseUrl: server.url, accessToken: () => issuer.tokenFor(erin) });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const request = (city: string) =>
  engineer.createRequest({ kind: 'sql', connectionId: 'demo-postgres', action: `UPDATE customers SET city = '${city}' WHERE id = 1`, actionClass: 'write', rule: 'update', justification: `move to ${city}` });

describe('gatehouse approvals', () => {
  it('lists pending requests with the statement, the requester and the justification', async () => {
    const r = await request('Listville');
    const out = await gatehouse(['approvals', 'list', '--data-dir', dataDir]);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(r.id);
    expect(out.stdout).toContain("UPDATE customers SET city = 'Listville' WHERE id = 1");
    expect(out.stdout).toMatch(/by Erin Engineer \(engineer\)/);
    expect(out.stdout).toContain('why: move to Listville');
  });

  it('approves as the admin; the requester sees it approved', async () => {
    const r = await request('Approveville');
    const out = await gatehouse(['approvals', 'approve', r.id, '--reason', 'fine', '--data-dir', dataDir]);
    expect(out.stdout.trim()).toBe(`${r.id}: approved`);
    expect((await engineer.getRequest(r.id)).status).toBe('approved');
  });

  it('denies only with a reason, which the requester reads', async () => {
    const r = await request('Denyville');
    const bare = await gatehouse(['approvals', 'deny', r.id, '--data-dir', dataDir]);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('--reason is required');
    const out = await gatehouse(['approvals', 'deny', r.id, '--reason', 'no ticket', '--data-dir', dataDir]);
    expect(out.status).toBe(0);
    expect((await engineer.getRequest(r.id)).decisions[0]).toMatchObject({ decision: 'deny', reason: 'no ticket' });
  });

  it('refuses self-approval with the server’s words', async () => {
    const r = await request('Selfville');
    const out = await gatehouse(['approvals', 'approve', r.id, '--as', 'engineer', '--data-dir', dataDir]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/own request/);
  });

  it('says where to find a server when the demo is not running', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gatehouse-approvals-none-'));
    const out = await gatehouse(['approvals', 'list', '--data-dir', empty]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('start the demo');
    rmSync(empty, { recursive: true, force: true });
  });
});
