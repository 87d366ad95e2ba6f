import type { Identity, IdentityState } from '../contract/bridge-contract.js';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { DemoIssuer } from './demo-issuer.js';
import type { IdentityProvider } from './identity-provider.js';

export const DEMO_IDENTITIES: readonly Identity[] = [
  { id: 'engineer', displayName: 'Erin Engineer', email: 'erin.engineer@gatehouse.demo', roles: ['support'] },
  { id: 'admin', displayName: 'Ada Admin', email: 'ada.admin@gatehouse.demo', roles: ['admin', 'support'] },
];

/**
 * The demo's AI agent (`gatehouse mcp --demo`): governed by the policy's stricter `agent` role.
 * It is not one of the people the app can switch to; only the MCP server runs as it.
 */
export const DEMO_AGENT_IDENTITY: Identity = { id: 'agent', displayName: 'Demo Agent (MCP)', roles: ['agent'] };

/** The offline demo's two people, switchable from the UI; the built-in issuer signs their tokens later. */
export class DemoIdentityProvider implements IdentityProvider {
  readonly kind = 'demo' as const;
  private active: Identity;
  private readonly listeners = new Set<(state: IdentityState) => void>();

  /** With an issuer, the identity carries a token the policy server accepts (demo with approvals). */
  constructor(
    initialId = 'engineer',
    private readonly issuer?: DemoIssuer,
  ) {
    this.active = findIdentity(initialId);
  }

  state(): IdentityState {
    return { provider: 'demo', current: this.active, switchable: [...DEMO_IDENTITIES] };
  }

  current(): Identity {
    return this.active;
  }

  switchTo(identityId: string): IdentityState {
    if (!DEMO_IDENTITIES.some((i) => i.id === identityId)) throw new GatehouseError('not_found', `No demo identity "${identityId}" to switch to; choose engineer or admin`);
    this.active = findIdentity(identityId);
    const state = this.state();
    for (const l of this.listeners) l(state);
    return state;
  }

  async signIn(): Promise<{ authorizationUrl: string }> {
    throw new GatehouseError('forbidden', 'The demo has no sign-in; switch between its identities instead');
  }

  async signOut(): Promise<IdentityState> {
    throw new GatehouseError('forbidden', 'The demo has no sign-in; switch between its identities instead');
  }

  async accessToken(): Promise<string | null> {
    return this.issuer ? this.issuer.tokenFor(this.active) : null;
  }

  async accessTokenFor(identityId: string): Promise<string | null> {
    return this.issuer ? this.issuer.tokenFor(findIdentity(identityId)) : null;
  }

  onChange(listener: (state: IdentityState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function findIdentity(id: string): Identity {
  const found = DEMO_IDENTITIES.find((i) => i.id === id) ?? (id === DEMO_AGENT_IDENTITY.id ? DEMO_AGENT_IDENTITY : undefined);
  if (!found) throw new GatehouseError('not_found', `No demo identity "${id}"; choose engineer or admin`);
  return found;
}
