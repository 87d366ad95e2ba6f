import type { Identity, IdentityState } from '../contract/bridge-contract.js';

/**
 * Who is using Gatehouse. The demo, OIDC and service (agent) providers all implement this, so
 * nothing above it knows which one is in use. Tokens stay behind this interface.
 */
export interface IdentityProvider {
  readonly kind: 'demo' | 'oidc' | 'service';
  state(): IdentityState;
  current(): Identity | null;
  /** Demo identities only; an OIDC provider refuses. */
  switchTo(identityId: string): IdentityState;
  /** OIDC: starts a sign-in and returns the URL to open in the system browser. Demo: refuses. */
  signIn(): Promise<{ authorizationUrl: string }>;
  /** OIDC: forgets every token. Demo: refuses. */
  signOut(): Promise<IdentityState>;
  /** A bearer token for the policy server, or null when signed out. */
  accessToken(): Promise<string | null>;
  /**
   * Demo only: a token for another of the demo's identities, so that a statement Erin asked for
   * still runs when Ada, at the same laptop, approves it. OIDC providers hold one person's tokens.
   */
  accessTokenFor?(identityId: string): Promise<string | null>;
  onChange(listener: (state: IdentityState) => void): () => void;
}
