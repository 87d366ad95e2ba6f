import { Writable } from 'node:stream';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityState } from '../../src/contract/bridge-contract.js';
import { OidcIdentityProvider, type OidcIdentityProviderOptions } from '../../src/identity/oidc-identity-provider.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import { PolicyStore } from '../../src/policy/policy-store.js';
import { driveLogin } from '../../../test-support/oidc/drive-login.js';
import { startOidcProvider, type OidcTestServer } from '../../../test-support/oidc/oidc-provider-server.js';

const ACCESS_TOKEN_TTL_S = 4;

let op: OidcTestServer;
const providers: OidcIdentityProvider[] = [];

beforeAll(async () => {
  op = await startOidcProvider({ accessTokenTtl: ACCESS_TOKEN_TTL_S });
});
afterAll(async () => {
  await op.stop();
});
afterEach(() => {
  for (const p of providers.splice(0)) p.close();
});

/** A provider whose log lines and provider traffic the test can read, to search them for tokens. */
function setup(overrides: Partial<OidcIdentityProviderOptions> = {}) {
  const logLines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const tokens = new Set<string>();
  const watchingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (new URL(input instanceof Request ? input.url : input).pathname === '/token') {
      const body = (await res.clone().json()) as Record<string, unknown>;
      for (const key of ['access_token', 'refresh_token', 'id_token']) if (typeof body[key] === 'string') tokens.add(body[key]);
    }
    return res;
  };
  const states: IdentityState[] = [];
  const provider = new OidcIdentityProvider({
    settings: { issuer: op.issuer, clientId: op.clientId, audience: op.audience },
    policy: new PolicyStore(loadPolicyFile()),
    logger: pino({ level: 'debug' }, stream),
    fetch: watchingFetch,
    refreshSkewMs: 1_500,
    ...overrides,
  });
  provider.onChange((s) => states.push(s));
  providers.push(provider);
  return { provider, logLines, tokens, states };
}

async function signIn(provider: OidcIdentityProvider, login: string): Promise<Response> {
  const { authorizationUrl } = await provider.signIn();
  const callback = await driveLogin(authorizationUrl, login);
  return fetch(callback);
}

function expectNoTokens(haystack: string, tokens: Set<string>): void {
  expect(tokens.size).toBeGreaterThan(0);
  for (const t of tokens) expect(haystack).not.toContain(t);
}

describe('OIDC sign-in against a real oidc-provider', () => {
  it('builds a PKCE S256 authorization request to a loopback redirect, with state, nonce and resource', async () => {
    const { provider, states } = setup();
    expect(provider.state()).toEqual({ provider: 'oidc', issuer: op.issuer, signingIn: false, current: null, switchable: [] });
    const { authorizationUrl } = await provider.signIn();
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(op.issuer);
    const p = url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe('gatehouse-desktop');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).toBeTruthy();
    expect(p.get('nonce')).toBeTruthy();
    expect(p.get('resource')).toBe(op.audience);
    expect(p.get('scope')).toBe('openid profile email offline_access');
    expect(p.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(provider.state().signingIn).toBe(true);
    expect(states.at(-1)?.signingIn).toBe(true);

    // Anything but the callback path is not found; the listener is only for this response.
    const other = await fetch(new URL('/', p.get('redirect_uri') ?? ''));
    expect(other.status).toBe(404);
  });

  it('signs in: identity and roles from the claims, an access token for the audience, nothing leaked', async () => {
    const { provider, logLines, tokens, states } = setup();
    const res = await signIn(provider, 'ada');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Signed in — you can close this tab');

    const state = provider.state();
    expect(state.signingIn).toBe(false);
    expect(state.current).toEqual({ id: 'ada', displayName: 'Ada Admin', email: 'ada@example.test', roles: ['admin', 'support'] });
    expect(states.at(-1)).toEqual(state);

    const token = await provider.accessToken();
    expect(token).toBeTruthy();
    const { payload } = await jwtVerify(token ?? '', createRemoteJWKSet(new URL(op.jwksUri)), { issuer: op.issuer, audience: op.audience });
    expect(payload.sub).toBe('ada');
    expect(payload.groups).toEqual(['admin', 'support']);

    expect(tokens.size).toBe(3); // access, refresh and ID token all came back
    expectNoTokens(JSON.stringify(states), tokens);
    expectNoTokens(logLines.join(''), tokens);
    expect(logLines.join('')).toContain('oidc signed in');
  });

  it('maps groups to roles through the policy (erin: support only)', async () => {
    const { provider } = setup();
    expect((await signIn(provider, 'erin')).status).toBe(200);
    expect(provider.current()).toEqual({ id: 'erin', displayName: 'Erin Engineer', email: 'erin@example.test', roles: ['support'] });
  });

  it('refreshes shortly before expiry, once for concurrent callers, and keeps the identity', async () => {
    const { provider, tokens, logLines } = setup();
    expect((await signIn(provider, 'erin')).status).toBe(200);
    const first = await provider.accessToken();
    expect(await provider.accessToken()).toBe(first); // far from expiry: no refresh
    const refreshesBefore = op.grants.refresh_token;

    await new Promise((r) => setTimeout(r, (ACCESS_TOKEN_TTL_S * 1000 - 1_500) + 300)); // inside the skew window
    const [a, b, c] = await Promise.all([provider.accessToken(), provider.accessToken(), provider.accessToken()]);
    expect(a).toBeTruthy();
    expect(a).not.toBe(first);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(op.grants.refresh_token).toBe(refreshesBefore + 1);
    const { payload } = await jwtVerify(a ?? '', createRemoteJWKSet(new URL(op.jwksUri)), { issuer: op.issuer, audience: op.audience });
    expect(payload.sub).toBe('erin');
    expect(provider.current()?.roles).toEqual(['support']);
    expectNoTokens(logLines.join(''), tokens);
    expect(logLines.join('')).toContain('oidc access token refreshed');
  });

  it('signs out when the refresh is refused, with a clear signed-out state', async () => {
    const { provider, states, tokens, logLines } = setup({ refreshSkewMs: 60_000 }); // every call wants a refresh
    expect((await signIn(provider, 'erin')).status).toBe(200);
    // Revoke the refresh token at the provider, as an admin disabling the user would.
    const refreshToken = [...tokens].find((t) => !t.includes('.'));
    const revoked = await fetch(`${op.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken ?? '', token_type_hint: 'refresh_token', client_id: op.clientId }),
    });
    expect(revoked.status).toBe(200);
    expect(await provider.accessToken()).toBeNull();
    expect(provider.state()).toEqual({ provider: 'oidc', issuer: op.issuer, signingIn: false, current: null, switchable: [] });
    expect(states.at(-1)?.current).toBeNull();
    expect(logLines.join('')).toContain('oidc session ended; signed out');
    expectNoTokens(logLines.join(''), tokens);
  });

  it('refuses a callback with a wrong state and keeps waiting for the right one', async () => {
    const { provider } = setup();
    const { authorizationUrl } = await provider.signIn();
    const callback = await driveLogin(authorizationUrl, 'erin');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'not-the-state');
    const refused = await fetch(forged);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('state does not match');
    expect(provider.state()).toMatchObject({ signingIn: true, current: null });
    const missing = new URL(callback);
    missing.searchParams.delete('state');
    expect((await fetch(missing)).status).toBe(400);

    const ok = await fetch(callback);
    expect(ok.status).toBe(200);
    expect(provider.current()?.id).toBe('erin');
    // One use only: the listener is gone.
    await expect(fetch(callback)).rejects.toThrow();
  });

  it('shows the provider error page reason and leaves the user signed out', async () => {
    const { provider } = setup();
    const { authorizationUrl } = await provider.signIn();
    const url = new URL(authorizationUrl);
    const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
    redirect.searchParams.set('error', 'access_denied');
    redirect.searchParams.set('error_description', 'End-User aborted interaction');
    redirect.searchParams.set('state', url.searchParams.get('state') ?? '');
    redirect.searchParams.set('iss', op.issuer);
    const res = await fetch(redirect);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('access_denied');
    expect(provider.state()).toMatchObject({ signingIn: false, current: null });
  });

  it('times out a sign-in nobody finishes', async () => {
    const { provider, states } = setup({ signInTimeoutMs: 200 });
    await provider.signIn();
    expect(provider.state().signingIn).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(provider.state().signingIn).toBe(false);
    expect(states.at(-1)?.signingIn).toBe(false);
  });

  it('sign-out forgets every token and revokes the refresh token', async () => {
    const { provider, tokens, states, logLines } = setup();
    expect((await signIn(provider, 'ada')).status).toBe(200);
    expect(await provider.accessToken()).toBeTruthy();
    const state = await provider.signOut();
    expect(state.current).toBeNull();
    expect(states.at(-1)?.current).toBeNull();
    expect(await provider.accessToken()).toBeNull();
    // The provider no longer knows the refresh token.
    const refreshToken = [...tokens].find((t) => !t.includes('.'));
    expect(refreshToken).toBeTruthy();
    const res = await fetch(`${op.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken ?? '', client_id: op.clientId }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
    expectNoTokens(logLines.join('') + JSON.stringify(states), tokens);
  });

  it('refuses to switch identities and reports an unreachable issuer plainly', async () => {
    const { provider } = setup({ settings: { issuer: 'http://127.0.0.1:9', clientId: 'x' } });
    expect(() => provider.switchTo()).toThrow(/sign out and sign in/);
    await expect(provider.signIn()).rejects.toThrow(/Cannot reach the sign-in provider at http:\/\/127\.0\.0\.1:9/);
    expect(provider.state().signingIn).toBe(false);
  });
});
