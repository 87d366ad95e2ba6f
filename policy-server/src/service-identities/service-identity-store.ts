/** The service_identities table (migration 4): rows in, records out, the same on pg and PGlite. */
import type { Queryable } from '../storage/database.js';
import { isoOf, isoOrNull, jsonOf, strOf, strOrNull } from '../storage/rows.js';

export interface ServiceIdentityRecord {
  id: string;
  name: string;
  displayName: string;
  groups: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

const COLUMNS = 'id, name, display_name, groups, created_by, created_at, expires_at, revoked_at, revoked_by';

export async function insertServiceIdentity(tx: Queryable, r: ServiceIdentityRecord, tokenSha256: string): Promise<void> {
  await tx.query(
    `INSERT INTO service_identities (id, name, display_name, groups, token_sha256, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7::timestamptz, $8::timestamptz)`,
    [r.id, r.name, r.displayName, JSON.stringify(r.groups), tokenSha256, r.createdBy, r.createdAt, r.expiresAt],
  );
}

export async function listServiceIdentities(q: Queryable): Promise<ServiceIdentityRecord[]> {
  return (await q.query(`SELECT ${COLUMNS} FROM service_identities ORDER BY created_at DESC, id`)).map(recordOf);
}

export async function findServiceIdentity(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<ServiceIdentityRecord | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM service_identities WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? recordOf(rows[0]) : null;
}

export async function findServiceIdentityByName(q: Queryable, name: string): Promise<ServiceIdentityRecord | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM service_identities WHERE name = $1`, [name]);
  return rows[0] ? recordOf(rows[0]) : null;
}

export async function findServiceIdentityByTokenHash(q: Queryable, tokenSha256: string): Promise<ServiceIdentityRecord | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM service_identities WHERE token_sha256 = $1`, [tokenSha256]);
  return rows[0] ? recordOf(rows[0]) : null;
}

export async function markRevoked(tx: Queryable, id: string, at: string, by: string): Promise<void> {
  await tx.query(`UPDATE service_identities SET revoked_at = $2::timestamptz, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL`, [id, at, by]);
}

function recordOf(r: Record<string, unknown>): ServiceIdentityRecord {
  const groups = jsonOf(r.groups);
  return {
    id: strOf(r.id),
    name: strOf(r.name),
    displayName: strOf(r.display_name),
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    createdBy: strOf(r.created_by),
    createdAt: isoOf(r.created_at),
    expiresAt: isoOrNull(r.expires_at),
    revokedAt: isoOrNull(r.revoked_at),
    revokedBy: strOrNull(r.revoked_by),
  };
}
