/**
 * A configured agent identity (issue 8): `gatehouse mcp` runs as a service identity of the policy
 * server, authenticated by its `ghsvc_` token. Who it is and its roles come from the server's
 * /v1/me (groups → roles under the policy in force), so policy governs an agent exactly as it
 * governs a person. There is no sign-in, sign-out or switching: the token is the identity.
 *
 * The token lives in this object's memory only; it is never put in IdentityState, an error
 * message or a log line.
 */
import { ApiCallError, PolicyServerClient, PolicyServerUnreachable } from '../approvals/policy-server-client.js';
import { SERVICE_TOKEN_PREFIX, type Me } from '../approvals/policy-server-api.js';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { Identity, IdentityState } from '../contract/bridge-contract.js';
import type { IdentityProvider } from './identity-provider.js';

export interface ServiceIdentityProviderOptions {
  /** The policy server's base URL, without /v1. */
  policyServerUrl: string;
  /** The service identity's `ghsvc_…` token, as printed once by `gatehouse service-identities create`. */
  token: string;
  /** Per request to the policy server (default 10 s). */
  timeoutMs?: number;
}

export class ServiceIdentityProvider implements IdentityProvider {
  readonly kind = 'service' as const;
  private readonly client: PolicyServerClient;
  private readonly listeners = new Set<(state: IdentityState) => void>();
  private identity: Identity | null = null;
  private who: Me | null = null;

  /** Knows nobody until refresh() (or use connect(), which does both). */
  constructor(private readonly options: ServiceIdentityProviderOptions) {
    if (!options.token.startsWith(SERVICE_TOKEN_PREFIX)) {
      throw new GatehouseError('invalid_input', `An agent token starts with ${SERVICE_TOKEN_PREFIX}; an administrator creates one with \`gatehouse service-identities create\``);
    }
    this.client = new PolicyServerClient({
      baseUrl: options.policyServerUrl,
      accessToken: async () => options.token,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /** Checks the token with the policy server and returns a provider that knows who it is. */
  static async connect(options: ServiceIdentityProviderOptions): Promise<ServiceIdentityProvider> {
    const provider = new ServiceIdentityProvider(options);
    await provider.refresh();
    return provider;
  }

  /**
   * Asks the policy server who the token is, again: after a policy change the roles may differ.
   * A refused token (revoked, expired, unknown) or an unreachable server is a clear error.
   */
  async refresh(): Promise<Identity> {
    let who: Me;
    try {
      who = await this.client.me();
    } catch (err) {
      throw explain(err, this.options.policyServerUrl);
    }
    if (!who.subject.startsWith('svc:')) {
      // Only a server that does not know service identities could answer so; refuse to guess.
      throw new GatehouseError('forbidden', `The policy server did not recognise this as an agent token (it answered for "${who.subject}")`);
    }
    const identity: Identity = { id: who.subject, displayName: who.displayName, roles: who.roles };
    const changed = JSON.stringify(identity) !== JSON.stringify(this.identity);
    this.who = who;
    this.identity = identity;
    if (changed) this.emit();
    return identity;
  }

  /** What the policy server said at the last refresh (groups and canApprove too), or null before. */
  me(): Me | null {
    return this.who;
  }

  state(): IdentityState {
    return { provider: 'service', current: this.identity, switchable: [] };
  }

  current(): Identity | null {
    return this.identity;
  }

  switchTo(): IdentityState {
    throw new GatehouseError('forbidden', 'An agent runs as one service identity; configure another token to act as someone else');
  }

  async signIn(): Promise<{ authorizationUrl: string }> {
    throw new GatehouseError('forbidden', 'An agent does not sign in: its service identity token is its identity');
  }

  async signOut(): Promise<IdentityState> {
    throw new GatehouseError('forbidden', 'An agent does not sign out; an administrator revokes its service identity instead (`gatehouse service-identities revoke`)');
  }

  async accessToken(): Promise<string | null> {
    return this.options.token;
  }

  onChange(listener: (state: IdentityState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const state = this.state();
    for (const l of this.listeners) l(state);
  }
}

/** The policy server's refusal in words an operator can act on; the token itself never appears. */
function explain(err: unknown, url: string): GatehouseError {
  if (err instanceof ApiCallError && err.status === 401) {
    return new GatehouseError('forbidden', `the agent token was refused by the policy server: ${err.message.replace(/^Policy server: /, '')}`);
  }
  if (err instanceof PolicyServerUnreachable) {
    // Its own message speaks of approvals; here what cannot happen is the agent's start.
    const cause = /is unreachable \(([^)]*)\)/.exec(err.message)?.[1] ?? 'no answer';
    return new GatehouseError('unavailable', `the policy server at ${url} is unreachable (${cause}), so the agent token cannot be checked`);
  }
  if (err instanceof GatehouseError) return err;
  return new GatehouseError('unavailable', `the agent token could not be checked with the policy server at ${url}`);
}
