// ServiceIdentityProvider against a real policy server (the demo's, in memory): an admin creates
// the agent's service identity through the client; the provider connects with its token.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoPolicyServer, type DemoPolicyServer } from '@gatehouse/policy-server';
import { PolicyServerClient } from '../../src/approvals/policy-server-client.js';
import { GatehouseError } from '../../src/bridge/gatehouse-error.js';
import { DEMO_IDENTITIES } from '../../src/identity/demo-identity-provider.js';
import { DemoIssuer } from '../../src/identity/demo-issuer.js';
import { ServiceIdentityProvider } from '../../src/identity/service-identity-provider.js';

let server: DemoPolicyServer;
let issuer: DemoIssuer;
let admin: PolicyServerClient;

beforeAll(async () => {
  issuer = await DemoIssuer.create();
  server = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks } });
  const ada = DEMO_IDENTITIES.find((i) => i.id === 'admin')!;
  admin = new PolicyServerClient({ baseUrl: server.url, accessToken: () => issuer.tokenFor(ada) });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

async function refusal(p: Promise<unknown>): Promise<GatehouseError> {
  const err = await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatehouseError);
  return err as GatehouseError;
}

describe('ServiceIdentityProvider', () => {
  it('connects with a service token: current() is the identity with its policy roles', async () => {
    const { identity, token } = await admin.createServiceIdentity({ name: 'triage-agent', displayName: 'Triage Agent', groups: ['agent'] });
    expect(identity.roles).toEqual(['agent']);
    const provider = await ServiceIdentityProvider.connect({ policyServerUrl: server.url, token });
    expect(provider.kind).toBe('service');
    expect(provider.current()).toEqual({ id: 'svc:triage-agent', displayName: 'Triage Agent', roles: ['agent'] });
    expect(provider.state()).toEqual({ provider: 'service', current: provider.current(), switchable: [] });
    expect(provider.me()).toMatchObject({ canApprove: false, groups: ['agent'] });
    expect(await provider.accessToken()).toBe(token);
    // The provider's token is a working bearer token for everything else, e.g. approvals.
    const asAgent = new PolicyServerClient({ baseUrl: server.url, accessToken: () => provider.accessToken() });
    const request = await asAgent.createRequest({ kind: 'sql', connectionId: 'demo-postgres', action: 'UPDATE customers SET city = 1 WHERE id = 7', actionClass: 'write', rule: 'write', justification: 'agent fix' });
    expect(request.requester).toBe('svc:triage-agent');
    // No identity state carries the token.
    expect(JSON.stringify(provider.state())).not.toContain(token);
  });

  it('refuses sign-in, sign-out and switching with clear errors', async () => {
    const { token } = await admin.createServiceIdentity({ name: 'fixed-agent', groups: ['agent'] });
    const provider = await ServiceIdentityProvider.connect({ policyServerUrl: server.url, token });
    expect((await refusal(provider.signIn())).message).toMatch(/does not sign in/);
    expect((await refusal(provider.signOut())).message).toMatch(/revokes its service identity/);
    expect(() => provider.switchTo()).toThrow(/one service identity/);
  });

  it('fails clearly when the token is refused: unknown, revoked, or not a service token at all', async () => {
    const unknown = `ghsvc_${Buffer.alloc(32, 1).toString('base64url')}`;
    const err = await refusal(ServiceIdentityProvider.connect({ policyServerUrl: server.url, token: unknown }));
    expect(err.message).toBe('the agent token was refused by the policy server: unknown service token');
    expect(err.code).toBe('forbidden');

    const { identity, token } = await admin.createServiceIdentity({ name: 'soon-revoked', groups: ['agent'] });
    const provider = await ServiceIdentityProvider.connect({ policyServerUrl: server.url, token });
    await admin.revokeServiceIdentity(identity.id);
    const revoked = await refusal(provider.refresh());
    expect(revoked.message).toMatch(/^the agent token was refused by the policy server: service identity "soon-revoked" was revoked at /);
    expect(revoked.message).not.toContain(token.slice(6));
    expect((await refusal(ServiceIdentityProvider.connect({ policyServerUrl: server.url, token }))).message).toMatch(/was revoked/);

    expect(() => new ServiceIdentityProvider({ policyServerUrl: server.url, token: 'eyJhbGciOi.not.service' })).toThrow(/starts with ghsvc_/);
  });

  it('fails clearly when the policy server cannot be reached', async () => {
    const port = await freePort();
    const err = await refusal(ServiceIdentityProvider.connect({ policyServerUrl: `http://127.0.0.1:${port}`, token: `ghsvc_${Buffer.alloc(32, 2).toString('base64url')}`, timeoutMs: 2_000 }));
    expect(err.code).toBe('unavailable');
    expect(err.message).toBe(`the policy server at http://127.0.0.1:${port} is unreachable (connection refused), so the agent token cannot be checked`);
  });

  it('lists identities for admins without tokens, and refuses an engineer', async () => {
    const listed = await admin.listServiceIdentities();
    expect(listed.map((i) => i.name)).toEqual(expect.arrayContaining(['triage-agent', 'soon-revoked']));
    expect(listed.find((i) => i.name === 'soon-revoked')?.status).toBe('revoked');
    expect(JSON.stringify(listed)).not.toContain('ghsvc_');
    const erin = DEMO_IDENTITIES.find((i) => i.id === 'engineer')!;
    const engineer = new PolicyServerClient({ baseUrl: server.url, accessToken: () => issuer.tokenFor(erin) });
    expect((await refusal(engineer.listServiceIdentities())).message).toMatch(/only administrators/);
    expect((await refusal(engineer.createServiceIdentity({ name: 'sneaky', groups: ['admin'] }))).message).toMatch(/only administrators/);
  });
});

/** A port nothing listens on (taken, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
