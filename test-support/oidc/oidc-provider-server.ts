/**
 * A real OpenID Provider for tests: oidc-provider 8 on 127.0.0.1 at a free port, with its
 * built-in development login and consent pages (any password is accepted), a per-start ES256
 * signing key, the public native client Gatehouse uses (PKCE S256, loopback redirect on any
 * port as RFC 8252 §7.3 allows), refresh tokens, and JWT access tokens for one resource
 * (RFC 8707) that carry `groups`, `name` and `email`.
 *
 * Accounts: erin (groups [support]), ada (groups [admin, support]), agent (groups [agent]).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export interface TestAccount {
  sub: string;
  name: string;
  email: string;
  groups: string[];
}

export const TEST_ACCOUNTS: Readonly<Record<string, TestAccount>> = {
  erin: { sub: 'erin', name: 'Erin Engineer', email: 'erin@example.test', groups: ['support'] },
  ada: { sub: 'ada', name: 'Ada Admin', email: 'ada@example.test', groups: ['admin', 'support'] },
  agent: { sub: 'agent', name: 'Alex Agent', email: 'agent@example.test', groups: ['agent'] },
};

export const TEST_CLIENT_ID = 'gatehouse-desktop';
export const TEST_AUDIENCE = 'https://policy.gatehouse.test';

export interface OidcTestServerOptions {
  /** Access-token lifetime in seconds (default 300); short values let tests exercise refresh. */
  accessTokenTtl?: number;
  /** Refresh-token lifetime in seconds (default 3600). */
  refreshTokenTtl?: number;
  /** The resource indicator / audience of issued access tokens (default TEST_AUDIENCE). */
  audience?: string;
  /** Rotate refresh tokens on use (default true, as for public clients per the OAuth BCP). */
  rotateRefreshToken?: boolean;
}

export interface OidcTestServer {
  /** The issuer URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  issuer: string;
  clientId: string;
  audience: string;
  jwksUri: string;
  provider: Provider;
  /** Counts of token endpoint grants, so tests can see a refresh happen. */
  grants: { authorization_code: number; refresh_token: number };
  stop(): Promise<void>;
}

export async function startOidcProvider(options: OidcTestServerOptions = {}): Promise<OidcTestServer> {
  const audience = options.audience ?? TEST_AUDIENCE;
  const accessTokenTtl = options.accessTokenTtl ?? 300;

  // The issuer URL names the port, so bind first and build the provider after.
  const server: Server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' };

  const configuration: Configuration = {
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Registered without a port: oidc-provider matches native loopback redirects on any port.
        redirect_uris: ['http://127.0.0.1/callback'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'groups'],
      email: ['email', 'email_verified'],
    },
    // Put the profile claims into the ID token too (the app reads them from there).
    conformIdTokenClaims: false,
    async findAccount(_ctx, id) {
      const account = TEST_ACCOUNTS[id];
      if (!account) return undefined;
      return {
        accountId: account.sub,
        async claims() {
          return { sub: account.sub, name: account.name, preferred_username: account.sub, email: account.email, email_verified: true, groups: account.groups };
        },
      };
    },
    async extraTokenClaims(_ctx, token) {
      const account = 'accountId' in token && typeof token.accountId === 'string' ? TEST_ACCOUNTS[token.accountId] : undefined;
      return account ? { groups: account.groups, name: account.name, email: account.email } : undefined;
    },
    async issueRefreshToken(_ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
    rotateRefreshToken: options.rotateRefreshToken ?? true,
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== audience) throw new Error(`unknown resource ${resourceIndicator}`);
          return { scope: 'gatehouse', audience, accessTokenTTL: accessTokenTtl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: options.refreshTokenTtl ?? 3600,
    },
  };

  const provider = new Provider(issuer, configuration);
  const grants = { authorization_code: 0, refresh_token: 0 };
  provider.on('grant.success', (ctx) => {
    const type = (ctx as { oidc?: { params?: { grant_type?: unknown } } }).oidc?.params?.grant_type;
    if (type === 'authorization_code' || type === 'refresh_token') grants[type]++;
  });
  server.on('request', provider.callback());

  return {
    issuer,
    clientId: TEST_CLIENT_ID,
    audience,
    jwksUri: `${issuer}/jwks`,
    provider,
    grants,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
