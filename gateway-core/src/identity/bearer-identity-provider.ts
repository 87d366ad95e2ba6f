/**
 * A person at a terminal, identified by a bearer token their policy server accepts (an OIDC access
 * token in $GATEHOUSE_TOKEN, as `gatehouse approvals --server` takes it). Who they are and their
 * roles come from the server's /v1/me, so a CLI command (`gatehouse connect`) is governed, and its
 * recordings are owned, exactly as the app's would be for that person. There is no sign-in,
 * sign-out or switching: the token is the identity, for as long as the server accepts it.
 *
 * The token lives in this object's memory only; it is never put in IdentityState, an error
 * message or a log line.
 */
import { ApiCallError, PolicyServerClient, PolicyServerUnreachable } from '../approvals/policy-server-client.js';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { Identity, IdentityState } from '../contract/bridge-contract.js';
import type { IdentityProvider } from './identity-provider.js';

export interface BearerIdentityProviderOptions {
  /** The policy server's base URL, without /v1. */
  policyServerUrl: string;
  token: string;
  /** Where the token came from, for error messages (default "the token"). */
  tokenName?: string;
}

export class BearerIdentityProvider implements IdentityProvider {
  readonly kind = 'oidc' as const;
  private constructor(
    private readonly token: string,
    private readonly identity: Identity,
  ) {}

  /** Asks the policy server who the token is; a refused token or an unreachable server is a clear error. */
  static async connect(o: BearerIdentityProviderOptions): Promise<BearerIdentityProvider> {
    const client = new PolicyServerClient({ baseUrl: o.policyServerUrl, accessToken: async () => o.token });
    const what = o.tokenName ?? 'the token';
    try {
      const me = await client.me();
      return new BearerIdentityProvider(o.token, { id: me.subject, displayName: me.displayName, roles: me.roles });
    } catch (err) {
      if (err instanceof ApiCallError && err.status === 401) throw new GatehouseError('forbidden', `${what} was refused by the policy server: ${err.message.replace(/^Policy server: /, '')}`);
      if (err instanceof PolicyServerUnreachable) {
        const cause = /is unreachable \(([^)]*)\)/.exec(err.message)?.[1] ?? 'no answer';
        throw new GatehouseError('unavailable', `the policy server at ${o.policyServerUrl} is unreachable (${cause}), so ${what} cannot be checked`);
      }
      throw err instanceof GatehouseError ? err : new GatehouseError('unavailable', `${what} could not be checked with the policy server at ${o.policyServerUrl}`);
    }
  }

  state(): IdentityState {
    return { provider: 'oidc', current: this.identity, switchable: [] };
  }

  current(): Identity {
    return this.identity;
  }

  switchTo(): IdentityState {
    throw new GatehouseError('forbidden', 'This identity comes from a token; use another token to act as someone else');
  }

  async signIn(): Promise<{ authorizationUrl: string }> {
    throw new GatehouseError('forbidden', 'This identity comes from a token; there is no sign-in here');
  }

  async signOut(): Promise<IdentityState> {
    throw new GatehouseError('forbidden', 'This identity comes from a token; there is no sign-out here');
  }

  async accessToken(): Promise<string | null> {
    return this.token;
  }

  onChange(): () => void {
    // The identity never changes.
    return () => undefined;
  }
}
