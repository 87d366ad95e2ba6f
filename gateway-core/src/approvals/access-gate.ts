/**
 * When an identity may use a connection beyond what its role says (BRIEF §3 invariant 4, issue 5):
 * - with the policy server unreachable, work goes on under the cached policy for the policy's
 *   offline grace, counted from the last contact, and then stops (fail closed);
 * - a connection the role opens "by request" needs an approved access grant that has not
 *   expired; at expiry, open sessions are closed by the owner of this gate.
 */
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { AccessGate } from '../bridge/handler-deps.js';
import type { ConnectionSummary, Identity } from '../contract/bridge-contract.js';
import { effectivePolicy, matchesAny } from '../policy/effective-policy.js';
import type { PolicyStore } from '../policy/policy-store.js';

export interface AccessGrant {
  requestId: string;
  identityId: string;
  connectionId: string;
  expiresAt: number;
}

export class ConnectionAccessGate implements AccessGate {
  /** By identity, then connection. */
  private readonly grants = new Map<string, Map<string, AccessGrant>>();
  private unreachableSince: number | null = null;

  constructor(
    private readonly policy: PolicyStore,
    private readonly now: () => number,
    /** When the gateway started: with no contact yet, the grace counts from here. */
    private lastContact: number,
  ) {}

  reachable(): void {
    this.lastContact = this.now();
    this.unreachableSince = null;
  }

  unreachable(): void {
    this.unreachableSince ??= this.now();
  }

  /** While unreachable: the time (ms) after which nothing runs; null while reachable. */
  readsAllowedUntil(): number | null {
    if (this.unreachableSince === null) return null;
    return this.lastContact + this.policy.current().offline.readGraceMinutes * 60_000;
  }

  check(connectionId: string, identity: Identity): void {
    const until = this.readsAllowedUntil();
    if (until !== null && this.now() >= until) {
      throw new GatehouseError(
        'unavailable',
        `The policy server has been unreachable since ${clock(this.unreachableSince!)}; the offline grace ended at ${clock(until)}, so nothing runs until it is back`,
      );
    }
    const rule = this.byRequestRule(connectionId, identity);
    if (!rule) return;
    const grant = this.grants.get(identity.id)?.get(connectionId);
    if (!grant || grant.expiresAt <= this.now()) {
      throw new GatehouseError('forbidden', `${connectionId} opens only with approved access: request access for up to ${rule.maxDurationMinutes} minutes`);
    }
  }

  /** The `access` field of a connection summary for this identity. */
  describe(connectionId: string, identity: Identity | null): ConnectionSummary['access'] {
    if (!identity) return undefined;
    const rule = this.byRequestRule(connectionId, identity);
    if (!rule) return undefined;
    const grant = this.grants.get(identity.id)?.get(connectionId);
    const live = grant && grant.expiresAt > this.now() ? grant : undefined;
    return { byRequest: true, maxDurationMinutes: rule.maxDurationMinutes, ...(live ? { grantedUntil: new Date(live.expiresAt).toISOString() } : {}) };
  }

  grant(grant: AccessGrant): void {
    const mine = this.grants.get(grant.identityId) ?? new Map<string, AccessGrant>();
    this.grants.set(grant.identityId, mine);
    const current = mine.get(grant.connectionId);
    if (!current || current.expiresAt < grant.expiresAt) mine.set(grant.connectionId, grant);
  }

  /** Drops grants that have expired and returns them, so their sessions can be closed. */
  expire(): AccessGrant[] {
    const gone: AccessGrant[] = [];
    for (const mine of this.grants.values()) {
      for (const [connectionId, g] of mine) {
        if (g.expiresAt <= this.now()) {
          mine.delete(connectionId);
          gone.push(g);
        }
      }
    }
    return gone;
  }

  private byRequestRule(connectionId: string, identity: Identity): { maxDurationMinutes: number } | null {
    let rule;
    try {
      rule = effectivePolicy(this.policy.current(), identity).policy.accessByRequest;
    } catch {
      return null; // no role at all: the role check itself refuses
    }
    return rule && matchesAny(rule.connections, connectionId) ? rule : null;
  }
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16) + ' UTC';
}
