// `gatehouse service-identities create|list|revoke` as an admin uses it: against the running
// demo's policy server (acting as the demo admin), and against --server with $GATEHOUSE_TOKEN.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatedServiceIdentity, DEMO_IDENTITIES, DemoIssuer, ServiceIdentity } from '@gatehouse/gateway-core';
import { startDemoPolicyServer, type DemoPolicyServer } from '@gatehouse/policy-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { demoPolicyServerFiles } from '../../src/cli/approvals-command.js';
import { gatehouse } from './run-cli.js';

let dataDir: string;
let server: DemoPolicyServer;
let issuer: DemoIssuer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-service-identities-cli-'));
  const { serverFile, issuerKeyFile } = demoPolicyServerFiles(dataDir);
  mkdirSync(join(dataDir, 'demo-approvals'), { recursive: true });
  issuer = await DemoIssuer.openOrCreate(issuerKeyFile);
  server = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks } });
  writeFileSync(serverFile, JSON.stringify({ url: server.url }));
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const meWith = async (token: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('gatehouse service-identities', () => {
  it('creates one in the demo as its admin and prints the token once, which then works', async () => {
    const out = await gatehouse(['service-identities', 'create', 'mcp-agent', '--group', 'agent', '--display-name', 'MCP Agent', '--expires-in-days', '30', '--data-dir', dataDir]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^Created service identity mcp-agent \(si_[^)]+\), acting as svc:mcp-agent$/m);
    expect(out.stdout).toContain('groups: agent → roles: agent');
    expect(out.stdout).toMatch(/shown only this once/);
    const token = /^(ghsvc_[A-Za-z0-9_-]{43})$/m.exec(out.stdout)?.[1];
    expect(token).toBeTruthy();
    const me = await meWith(token!);
    expect(me).toMatchObject({ status: 200, body: { subject: 'svc:mcp-agent', displayName: 'MCP Agent', roles: ['agent'], canApprove: false } });
  });

  it('creates with --json, and warns when the groups map to no role', async () => {
    const out = await gatehouse(['service-identities', 'create', 'roleless', '--group', 'nobody-here', '--json', '--data-dir', dataDir]);
    expect(out.status, out.stderr).toBe(0);
    const created = CreatedServiceIdentity.parse(JSON.parse(out.stdout));
    expect(created.identity).toMatchObject({ name: 'roleless', roles: [], createdBy: 'admin' });
    expect(out.stderr).toMatch(/map to no role/);
    expect((await meWith(created.token)).status).toBe(200);
  });

  it('lists identities without their tokens', async () => {
    const out = await gatehouse(['service-identities', 'list', '--data-dir', dataDir]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/si_\S+ {2}mcp-agent {2}active/);
    expect(out.stdout).not.toContain('ghsvc_');
    const json = await gatehouse(['service-identities', 'list', '--json', '--data-dir', dataDir]);
    const list = z.array(ServiceIdentity).parse(JSON.parse(json.stdout));
    expect(list.map((i) => i.name).sort()).toEqual(['mcp-agent', 'roleless']);
    expect(json.stdout).not.toContain('ghsvc_');
  });

  it('revokes by name or id; the token is refused from then on', async () => {
    const created = CreatedServiceIdentity.parse(JSON.parse((await gatehouse(['service-identities', 'create', 'short-lived', '--group', 'agent', '--json', '--data-dir', dataDir])).stdout));
    expect((await meWith(created.token)).status).toBe(200);
    const out = await gatehouse(['service-identities', 'revoke', 'short-lived', '--data-dir', dataDir]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout.trim()).toBe(`short-lived (${created.identity.id}): revoked`);
    const me = await meWith(created.token);
    expect(me.status).toBe(401);
    expect(me.body.message).toMatch(/revoked/);
    const again = await gatehouse(['service-identities', 'revoke', created.identity.id, '--data-dir', dataDir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already revoked/);
    const missing = await gatehouse(['service-identities', 'revoke', 'no-such-agent', '--data-dir', dataDir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no service identity with the id or name "no-such-agent"');
  });

  it('works against --server with $GATEHOUSE_TOKEN, and the server refuses a non-admin', async () => {
    const ada = DEMO_IDENTITIES.find((i) => i.id === 'admin')!;
    const erin = DEMO_IDENTITIES.find((i) => i.id === 'engineer')!;
    const ok = await gatehouse(['service-identities', 'create', 'remote-agent', '--group', 'agent', '--server', server.url], { GATEHOUSE_TOKEN: await issuer.tokenFor(ada) });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('svc:remote-agent');
    const refused = await gatehouse(['service-identities', 'list', '--server', server.url], { GATEHOUSE_TOKEN: await issuer.tokenFor(erin) });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^gatehouse service-identities: Policy server: only administrators/);
  });

  it('checks its own arguments before asking the server', async () => {
    const noGroup = await gatehouse(['service-identities', 'create', 'lonely', '--data-dir', dataDir]);
    expect(noGroup.status).not.toBe(0);
    expect(noGroup.stderr).toMatch(/--group/);
    const badDays = await gatehouse(['service-identities', 'create', 'x', '--group', 'agent', '--expires-in-days', 'soon', '--data-dir', dataDir]);
    expect(badDays.status).not.toBe(0);
    expect(badDays.stderr).toMatch(/whole number of days/);
    const badName = await gatehouse(['service-identities', 'create', 'Bad Name', '--group', 'agent', '--data-dir', dataDir]);
    expect(badName.status).toBe(1);
    expect(badName.stderr).toMatch(/slug/);
  });
});
