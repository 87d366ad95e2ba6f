/**
 * OIDC sign-in for configured mode (issue 5): Authorization Code with PKCE (S256), `state` and
 * `nonce`, and a loopback redirect (RFC 8252 §7.3) opened in the system browser.
 *
 * Tokens (access, refresh, ID) live only in this object's memory: never in IdentityState, never
 * in a log line, never on disk. accessToken() hands out a fresh access token for the policy
 * server, refreshing shortly before expiry (concurrent callers share one refresh); a refresh the
 * provider refuses signs the user out.
 */
import * as oidc from 'openid-client';
import type { Identity, IdentityState } from '../contract/bridge-contract.js';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { Logger } from '../logging/logger.js';
import { rolesForGroups } from '../policy/approval-rules.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { IdentityProvider } from './identity-provider.js';
import { startLoopbackRedirect, type LoopbackRedirect } from './loopback-redirect.js';
import { identityFromClaims, type UserClaims } from './oidc-claims.js';

export const DEFAULT_OIDC_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'offline_access'];

/** What the connections file's `signIn:` block holds (see SignInConfig). */
export interface OidcSignInSettings {
  issuer: string;
  clientId: string;
  scopes?: readonly string[] | undefined;
  /** Requested as the `resource` (RFC 8707); the policy server verifies it as `aud`. */
  audience?: string | undefined;
  /** Claim holding the user's groups (default `groups`). */
  groupsClaim?: string | undefined;
}

export interface OidcIdentityProviderOptions {
  settings: OidcSignInSettings;
  policy: Pick<PolicyStore, 'current' | 'onChange'>;
  logger: Logger;
  /** Refresh this long before the access token expires (default 60 s). */
  refreshSkewMs?: number;
  /** How long a sign-in waits for the browser to come back (default 5 min). */
  signInTimeoutMs?: number;
  /** Bound on the best-effort revocation at sign-out (default 3 s). */
  revokeTimeoutMs?: number;
  /** Replaces fetch for every request to the provider (tests use it to watch the traffic). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  now?: () => number;
}

interface Session {
  accessToken: string;
  /** Epoch ms; undefined when the provider did not say (then the token is used until refused). */
  expiresAt: number | undefined;
  refreshToken: string | undefined;
  idToken: string | undefined;
  claims: UserClaims;
}

interface PendingSignIn {
  loopback: LoopbackRedirect;
}

export class OidcIdentityProvider implements IdentityProvider {
  readonly kind = 'oidc' as const;
  private readonly settings: OidcSignInSettings;
  private readonly scopes: readonly string[];
  private readonly groupsClaim: string;
  private readonly refreshSkewMs: number;
  private readonly signInTimeoutMs: number;
  private readonly revokeTimeoutMs: number;
  private readonly now: () => number;
  private readonly listeners = new Set<(state: IdentityState) => void>();
  private readonly unsubscribePolicy: () => void;
  private configuration: Promise<oidc.Configuration> | null = null;
  private session: Session | null = null;
  private pending: PendingSignIn | null = null;
  private refreshing: Promise<string | null> | null = null;

  constructor(private readonly options: OidcIdentityProviderOptions) {
    this.settings = options.settings;
    this.scopes = options.settings.scopes ?? DEFAULT_OIDC_SCOPES;
    this.groupsClaim = options.settings.groupsClaim ?? 'groups';
    this.refreshSkewMs = options.refreshSkewMs ?? 60_000;
    this.signInTimeoutMs = options.signInTimeoutMs ?? 5 * 60_000;
    this.revokeTimeoutMs = options.revokeTimeoutMs ?? 3_000;
    this.now = options.now ?? Date.now;
    // Roles come from the policy in force, so a new policy version re-maps the signed-in user.
    this.unsubscribePolicy = options.policy.onChange(() => {
      if (this.session) this.emit();
    });
  }

  state(): IdentityState {
    return {
      provider: 'oidc',
      issuer: this.settings.issuer,
      signingIn: this.pending !== null,
      current: this.current(),
      switchable: [],
    };
  }

  current(): Identity | null {
    if (!this.session) return null;
    return identityFromClaims(this.session.claims, this.groupsClaim, (groups) => rolesForGroups(this.options.policy.current(), groups));
  }

  switchTo(): IdentityState {
    throw new GatehouseError('forbidden', 'Identities come from sign-in here; sign out and sign in as someone else instead');
  }

  async signIn(): Promise<{ authorizationUrl: string }> {
    const config = await this.discover();
    // A second click starts over: the first attempt's listener closes and its state is void.
    this.cancelPending();

    const codeVerifier = oidc.randomPKCECodeVerifier();
    const codeChallenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const attempt: { pending?: PendingSignIn } = {};

    const loopback = await startLoopbackRedirect({
      expectedState: state,
      timeoutMs: this.signInTimeoutMs,
      onTimeout: () => {
        if (this.pending !== attempt.pending) return;
        this.pending = null;
        this.options.logger.warn({ issuer: this.settings.issuer }, 'oidc sign-in timed out waiting for the browser');
        this.emit();
      },
      onCallback: async (url) => {
        if (this.pending !== attempt.pending) throw new Error('This sign-in was cancelled or replaced by a newer one. Start again from Gatehouse.');
        try {
          const tokens = await oidc.authorizationCodeGrant(
            config,
            url,
            { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
            this.resourceParameters(),
          );
          const session = this.sessionFrom(tokens, undefined);
          if (this.pending !== attempt.pending) throw new Error('This sign-in was cancelled while it completed. Start again from Gatehouse.');
          this.session = session;
          this.pending = null;
          this.options.logger.info({ issuer: this.settings.issuer, sub: session.claims.sub }, 'oidc signed in');
          this.emit();
        } catch (err) {
          if (this.pending === attempt.pending) {
            this.pending = null;
            this.emit();
          }
          const message = describeOidcError(err);
          this.options.logger.warn({ issuer: this.settings.issuer, reason: message }, 'oidc sign-in failed');
          throw new Error(message);
        }
      },
    });
    attempt.pending = { loopback };
    this.pending = attempt.pending;

    const parameters: Record<string, string> = {
      redirect_uri: loopback.redirectUri,
      scope: this.scopes.join(' '),
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      state,
      nonce,
      ...this.resourceParameters(),
    };
    const authorizationUrl = oidc.buildAuthorizationUrl(config, parameters).href;
    this.options.logger.info({ issuer: this.settings.issuer, redirectUri: loopback.redirectUri }, 'oidc sign-in started');
    this.emit();
    return { authorizationUrl };
  }

  async signOut(): Promise<IdentityState> {
    const session = this.session;
    const wasPending = this.pending !== null;
    this.cancelPending();
    this.session = null;
    this.refreshing = null;
    if (session || wasPending) this.emit();
    if (session) {
      this.options.logger.info({ issuer: this.settings.issuer, sub: session.claims.sub }, 'oidc signed out');
      await this.revokeQuietly(session);
    }
    return this.state();
  }

  async accessToken(): Promise<string | null> {
    const session = this.session;
    if (!session) return null;
    if (session.expiresAt === undefined || session.expiresAt - this.refreshSkewMs > this.now()) return session.accessToken;
    // Everyone asking while a refresh runs waits for that same refresh.
    this.refreshing ??= this.refresh(session).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  onChange(listener: (state: IdentityState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops a waiting sign-in's listener and the policy subscription (the host is shutting down). */
  close(): void {
    this.cancelPending();
    this.unsubscribePolicy();
  }

  private async refresh(session: Session): Promise<string | null> {
    if (!session.refreshToken) {
      this.endSession(session, 'the access token expired and the provider gave no refresh token');
      return null;
    }
    try {
      const config = await this.discover();
      const tokens = await oidc.refreshTokenGrant(config, session.refreshToken, this.resourceParameters());
      if (this.session !== session) return this.session?.accessToken ?? null; // signed out (or in again) meanwhile
      const next = this.sessionFrom(tokens, session);
      this.session = next;
      this.options.logger.info({ issuer: this.settings.issuer, sub: next.claims.sub }, 'oidc access token refreshed');
      return next.accessToken;
    } catch (err) {
      if (this.session !== session) return this.session?.accessToken ?? null;
      const reason = describeOidcError(err);
      // The provider said no (revoked, expired, user disabled): that is final. A network failure
      // is not, as long as the token in hand is still valid.
      const refused = err instanceof oidc.ResponseBodyError || err instanceof GatehouseError;
      if (!refused && session.expiresAt !== undefined && session.expiresAt > this.now()) {
        this.options.logger.warn({ issuer: this.settings.issuer, reason }, 'oidc refresh failed; using the current token until it expires');
        return session.accessToken;
      }
      this.endSession(session, reason);
      return null;
    }
  }

  private endSession(session: Session, reason: string): void {
    if (this.session !== session) return;
    this.session = null;
    this.options.logger.warn({ issuer: this.settings.issuer, sub: session.claims.sub, reason }, 'oidc session ended; signed out');
    this.emit();
  }

  /** Builds a session from a token response; on refresh, claims carry over unless a new ID token came. */
  private sessionFrom(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, previous: Session | undefined): Session {
    const idClaims = tokens.claims();
    let claims: UserClaims;
    if (idClaims) {
      if (previous && idClaims.sub !== previous.claims.sub) throw new GatehouseError('forbidden', 'The provider returned a different user on refresh');
      claims = idClaims as UserClaims;
    } else if (previous) {
      claims = previous.claims;
    } else {
      throw new GatehouseError('forbidden', 'The provider returned no ID token');
    }
    const expiresIn = tokens.expiresIn();
    return {
      accessToken: tokens.access_token,
      expiresAt: expiresIn === undefined ? undefined : this.now() + expiresIn * 1000,
      // Rotating providers send a new refresh token; others keep the old one valid.
      refreshToken: tokens.refresh_token ?? previous?.refreshToken,
      idToken: tokens.id_token ?? previous?.idToken,
      claims,
    };
  }

  private resourceParameters(): Record<string, string> {
    return this.settings.audience ? { resource: this.settings.audience } : {};
  }

  private discover(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      const options: oidc.DiscoveryRequestOptions = { timeout: 15 };
      // Config validation allows plain http only to this machine (a local or test provider).
      if (issuer.protocol === 'http:') options.execute = [oidc.allowInsecureRequests];
      const customFetch = this.options.fetch;
      if (customFetch) options[oidc.customFetch] = (url, init) => customFetch(url, init as RequestInit);
      this.configuration = oidc.discovery(issuer, this.settings.clientId, undefined, oidc.None(), options).catch((err: unknown) => {
        this.configuration = null; // try again on the next sign-in
        const reason = describeOidcError(err);
        this.options.logger.warn({ issuer: this.settings.issuer, reason }, 'oidc discovery failed');
        throw new GatehouseError('unavailable', `Cannot reach the sign-in provider at ${this.settings.issuer}: ${reason}`);
      });
    }
    return this.configuration;
  }

  private async revokeQuietly(session: Session): Promise<void> {
    if (!session.refreshToken) return;
    try {
      const config = await this.discover();
      if (!config.serverMetadata().revocation_endpoint) return;
      const revoke = oidc.tokenRevocation(config, session.refreshToken, { token_type_hint: 'refresh_token' });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.revokeTimeoutMs);
        timer.unref();
      });
      await Promise.race([revoke, timeout]).finally(() => clearTimeout(timer));
    } catch (err) {
      this.options.logger.warn({ issuer: this.settings.issuer, reason: describeOidcError(err) }, 'oidc token revocation failed (signed out locally anyway)');
    }
  }

  private cancelPending(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    pending.loopback.close();
  }

  private emit(): void {
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }
}

/**
 * A message for the user and the log. Built only from the OAuth error code and description and
 * the library's own message; never from a request or response body, which could hold a token.
 */
export function describeOidcError(err: unknown): string {
  if (err instanceof oidc.AuthorizationResponseError) {
    return `the sign-in provider refused: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
  }
  if (err instanceof oidc.ResponseBodyError) {
    return `the sign-in provider answered ${err.status} ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
  }
  if (err instanceof GatehouseError) return err.message;
  if (err instanceof Error) {
    const cause = err.cause instanceof Error && 'code' in err.cause ? ` (${String(err.cause.code)})` : '';
    return `${err.message}${cause}`;
  }
  return 'unknown error';
}
