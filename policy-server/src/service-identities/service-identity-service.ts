/**
 * Service identities (issue 8): admins create, list and revoke them; a `ghsvc_` bearer token
 * authenticates as one. Creates and revocations are audited in the same transaction as the change.
 *
 * Verification keeps each identity's row for a short while (5 s by default, measured on the
 * server's clock) so that a busy agent or an SSE reconnect does not read the database on every
 * request. A revocation on this server drops the entry at once; one made by another server on the
 * same database is seen when the entry runs out, so the cache bounds how late a revocation bites.
 * Expiry is checked against the clock on every request, never cached.
 */
import { randomUUID } from 'node:crypto';
import { rolesForGroups, type CreateServiceIdentity, type ServiceIdentity } from '@gatehouse/gateway-core';
import { appendAudit, type AuditType } from '../audit/audit-log.js';
import type { Principal } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import { conflict, forbidden, notFound, unauthorized } from '../http/http-error.js';
import type { PolicyService } from '../policy/policy-service.js';
import { pgErrorCode, PG_UNIQUE_VIOLATION, type Database } from '../storage/database.js';
import {
  findServiceIdentity,
  findServiceIdentityByName,
  findServiceIdentityByTokenHash,
  insertServiceIdentity,
  listServiceIdentities,
  markRevoked,
  type ServiceIdentityRecord,
} from './service-identity-store.js';
import { isWellFormedServiceToken, newServiceToken, serviceTokenHash } from './service-token.js';

/** The longest a revocation made elsewhere may go unnoticed (the brief allows at most 5 s). */
export const SERVICE_IDENTITY_CACHE_MS = 5_000;

/** Who a service token stands for, once checked. */
export interface VerifiedServiceIdentity {
  id: string;
  name: string;
  /** `svc:<name>`. */
  subject: string;
  displayName: string;
  groups: string[];
  /** Seconds since the epoch, like a JWT's exp; null when it never expires. */
  expiresAt: number | null;
}

export interface ServiceIdentityServiceOptions {
  db: Database;
  clock: Clock;
  policy: PolicyService;
  /** How long a verified row is trusted (default SERVICE_IDENTITY_CACHE_MS; capped at it). */
  cacheMs?: number;
}

interface CacheEntry {
  record: ServiceIdentityRecord;
  /** Server-clock ms when the row was read. */
  at: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

// audit/audit-log.ts's AuditType does not list these two yet (that file is another change's);
// the column is free text, so only the compile-time list lags behind.
const CREATED: AuditType = 'service_identity.created';
const REVOKED: AuditType = 'service_identity.revoked';

export const serviceSubject = (name: string): string => `svc:${name}`;

export class ServiceIdentityService {
  readonly cacheMs: number;
  /** By token hash. Only tokens that name a row are kept, so the map is bounded by the table. */
  private readonly cache = new Map<string, CacheEntry>();
  private readonly hashById = new Map<string, string>();
  private readonly revokedListeners = new Set<(id: string) => void>();

  constructor(private readonly deps: ServiceIdentityServiceOptions) {
    this.cacheMs = Math.min(Math.max(deps.cacheMs ?? SERVICE_IDENTITY_CACHE_MS, 0), SERVICE_IDENTITY_CACHE_MS);
  }

  async create(me: Principal, body: CreateServiceIdentity): Promise<{ identity: ServiceIdentity; token: string }> {
    this.mayManage(me);
    const now = this.deps.clock.now();
    const token = newServiceToken();
    const record: ServiceIdentityRecord = {
      id: `si_${randomUUID()}`,
      name: body.name,
      displayName: body.displayName ?? body.name,
      groups: [...new Set(body.groups)],
      createdBy: me.subject,
      createdAt: now.toISOString(),
      expiresAt: body.expiresInDays === undefined ? null : new Date(now.getTime() + body.expiresInDays * DAY_MS).toISOString(),
      revokedAt: null,
      revokedBy: null,
    };
    try {
      await this.deps.db.transaction(async (tx) => {
        // Names stay taken after a revocation: `svc:<name>` in old approvals and audit events
        // must keep meaning one identity.
        if (await findServiceIdentityByName(tx, body.name)) throw nameTaken(body.name);
        await insertServiceIdentity(tx, record, serviceTokenHash(token));
        await appendAudit(tx, {
          at: now,
          type: CREATED,
          actor: me.subject,
          detail: { id: record.id, name: record.name, subject: serviceSubject(record.name), displayName: record.displayName, groups: record.groups, expiresAt: record.expiresAt },
        });
      });
    } catch (err) {
      // Two creates of one name at the same moment: the unique index decides.
      if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) throw nameTaken(body.name);
      throw err;
    }
    return { identity: this.view(record, now), token };
  }

  async list(me: Principal): Promise<ServiceIdentity[]> {
    this.mayManage(me);
    const now = this.deps.clock.now();
    return (await listServiceIdentities(this.deps.db)).map((r) => this.view(r, now));
  }

  async revoke(me: Principal, id: string): Promise<ServiceIdentity> {
    this.mayManage(me);
    const now = this.deps.clock.now();
    const record = await this.deps.db.transaction(async (tx) => {
      const found = await findServiceIdentity(tx, id, { forUpdate: true });
      if (!found) throw notFound(`no service identity "${id}"`);
      if (found.revokedAt) throw conflict(`service identity "${found.name}" was already revoked at ${found.revokedAt}`, 'already_revoked');
      await markRevoked(tx, id, now.toISOString(), me.subject);
      await appendAudit(tx, { at: now, type: REVOKED, actor: me.subject, detail: { id, name: found.name, subject: serviceSubject(found.name) } });
      return { ...found, revokedAt: now.toISOString(), revokedBy: me.subject };
    });
    // This server stops accepting the token now; others when their cache entry runs out.
    const hash = this.hashById.get(id);
    if (hash) this.cache.delete(hash);
    this.hashById.delete(id);
    for (const l of this.revokedListeners) l(id);
    return this.view(record, now);
  }

  /** The identity a `ghsvc_` token stands for; a 401 naming why when there is none usable. */
  async verify(token: string): Promise<VerifiedServiceIdentity> {
    // The reasons below never repeat the token: they name the identity, which its holder knows.
    if (!isWellFormedServiceToken(token)) throw unauthorized('malformed service token');
    const hash = serviceTokenHash(token);
    const now = this.deps.clock.now().getTime();
    let entry = this.fresh(this.cache.get(hash), now);
    if (!entry) {
      const record = await findServiceIdentityByTokenHash(this.deps.db, hash);
      if (!record) {
        this.cache.delete(hash);
        throw unauthorized('unknown service token');
      }
      entry = this.remember(hash, record, now);
    }
    return usable(entry.record, now);
  }

  /**
   * Whether an identity may still be used (not revoked, not expired), read from the database:
   * open event streams ask this every cache period, so a revocation made on another server ends
   * them within that bound too. The fresh row also refreshes the cache entry.
   */
  async stillUsable(id: string): Promise<boolean> {
    const now = this.deps.clock.now().getTime();
    const record = await findServiceIdentity(this.deps.db, id);
    if (!record) return false;
    const hash = this.hashById.get(id);
    if (hash) this.remember(hash, record, now);
    try {
      usable(record, now);
      return true;
    } catch {
      return false;
    }
  }

  /** Called with the id of each identity revoked on this server. */
  onRevoked(listener: (id: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  private mayManage(me: Principal): void {
    if (me.kind === 'service') throw forbidden('a service identity may not manage service identities; an administrator must');
    if (!me.canApprove) throw forbidden('only administrators (a role that approves others) may manage service identities');
  }

  private fresh(entry: CacheEntry | undefined, now: number): CacheEntry | undefined {
    // A clock that went backwards also refetches, so no entry outlives the bound.
    return entry && now - entry.at < this.cacheMs && now >= entry.at ? entry : undefined;
  }

  private remember(hash: string, record: ServiceIdentityRecord, now: number): CacheEntry {
    // Drop whatever ran out, so entries of tokens nobody presents any more do not linger.
    for (const [h, e] of this.cache) {
      if (!this.fresh(e, now)) {
        this.cache.delete(h);
        this.hashById.delete(e.record.id);
      }
    }
    const entry = { record, at: now };
    if (this.cacheMs > 0) {
      this.cache.set(hash, entry);
      this.hashById.set(record.id, hash);
    }
    return entry;
  }

  private view(r: ServiceIdentityRecord, now: Date): ServiceIdentity {
    return {
      id: r.id,
      name: r.name,
      subject: serviceSubject(r.name),
      displayName: r.displayName,
      groups: r.groups,
      roles: rolesForGroups(this.deps.policy.get().doc, r.groups),
      status: r.revokedAt ? 'revoked' : r.expiresAt && Date.parse(r.expiresAt) <= now.getTime() ? 'expired' : 'active',
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      revokedAt: r.revokedAt,
      revokedBy: r.revokedBy,
    };
  }
}

function usable(r: ServiceIdentityRecord, now: number): VerifiedServiceIdentity {
  if (r.revokedAt) throw unauthorized(`service identity "${r.name}" was revoked at ${r.revokedAt}`);
  const expiresAt = r.expiresAt ? Date.parse(r.expiresAt) : null;
  if (expiresAt !== null && expiresAt <= now) throw unauthorized(`the token of service identity "${r.name}" expired at ${r.expiresAt ?? ''}`);
  return { id: r.id, name: r.name, subject: serviceSubject(r.name), displayName: r.displayName, groups: r.groups, expiresAt: expiresAt === null ? null : Math.floor(expiresAt / 1000) };
}

function nameTaken(name: string) {
  return conflict(`a service identity named "${name}" already exists (names of revoked ones stay taken)`, 'name_taken');
}
