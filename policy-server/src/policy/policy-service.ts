/**
 * Policy versions: the current one is cached in memory (every request maps groups to roles with
 * it), and a new one replaces it only after it has been validated whole and committed. An
 * invalid YAML is refused with its line and reason, and the version in force stays in force.
 */
import { ConfigError, parsePolicyYaml, type PolicyDocument, type PolicyVersion } from '@gatehouse/gateway-core';
import { appendAudit } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { badRequest, conflict, notFound } from '../http/http-error.js';
import { pgErrorCode, PG_UNIQUE_VIOLATION, type Database, type Row } from '../storage/database.js';
import { intOf, isoOf, strOf } from '../storage/rows.js';

export interface CurrentPolicy {
  version: number;
  doc: PolicyDocument;
}

export type PolicyListener = (current: CurrentPolicy) => void;

export class PolicyService {
  private current!: CurrentPolicy;
  private readonly listeners = new Set<PolicyListener>();

  private constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Loads the newest version, seeding version 1 from `initialYaml` when there is none. */
  static async open(db: Database, clock: Clock, initialYaml: string): Promise<PolicyService> {
    const service = new PolicyService(db, clock);
    let latest = await service.latestRow();
    if (!latest) {
      // Validated first: a broken seed must stop the server, not be stored as version 1.
      const doc = parseOrThrow(initialYaml);
      await db.transaction(async (tx) => {
        const at = clock.now();
        // ON CONFLICT: another server seeding the same database at the same moment.
        const inserted = await tx.query(
          `INSERT INTO policy_versions (version, yaml, created_at, created_by, comment)
           VALUES (1, $1, $2::timestamptz, 'system', 'initial policy') ON CONFLICT DO NOTHING RETURNING version`,
          [initialYaml, at.toISOString()],
        );
        if (inserted.length > 0) await appendAudit(tx, { at, type: 'policy.seeded', actor: 'system', detail: { version: 1, roles: Object.keys(doc.roles) } });
      });
      latest = await service.latestRow();
    }
    if (!latest) throw new Error('policy_versions is empty after seeding');
    // A stored version was valid when stored; if this build's schema now rejects it, say so.
    service.current = { version: intOf(latest.version), doc: parsePolicyYaml(strOf(latest.yaml), `policy version ${String(latest.version)}`) };
    return service;
  }

  get(): CurrentPolicy {
    return this.current;
  }

  onChange(listener: PolicyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async currentVersion(): Promise<PolicyVersion> {
    return this.version(this.current.version);
  }

  async version(n: number): Promise<PolicyVersion> {
    const rows = await this.db.query('SELECT version, yaml, created_at, created_by, comment FROM policy_versions WHERE version = $1', [n]);
    const row = rows[0];
    if (!row) throw notFound(`policy version ${n} does not exist`);
    return toVersion(row);
  }

  async history(): Promise<Omit<PolicyVersion, 'yaml'>[]> {
    const rows = await this.db.query('SELECT version, created_at, created_by, comment FROM policy_versions ORDER BY version DESC');
    return rows.map((r) => ({ version: intOf(r.version), createdAt: isoOf(r.created_at), createdBy: strOf(r.created_by), comment: strOf(r.comment) }));
  }

  /**
   * Validates `yaml` whole, stores it as the next version, and only then puts it in force.
   * `accept` may refuse a valid document for reasons of the caller's (it throws).
   */
  async put(yaml: string, comment: string, actor: string, accept: (doc: PolicyDocument) => void = () => undefined): Promise<PolicyVersion> {
    const doc = parseOrThrow(yaml);
    accept(doc);
    const at = this.clock.now();
    let version: number;
    try {
      version = await this.db.transaction(async (tx) => {
        const rows = await tx.query('SELECT coalesce(max(version), 0) + 1 AS next FROM policy_versions');
        const next = intOf(rows[0]?.next);
        await tx.query(
          `INSERT INTO policy_versions (version, yaml, created_at, created_by, comment) VALUES ($1, $2, $3::timestamptz, $4, $5)`,
          [next, yaml, at.toISOString(), actor, comment],
        );
        await appendAudit(tx, { at, type: 'policy.updated', actor, detail: { version: next, previous: this.current.version, comment, roles: Object.keys(doc.roles) } });
        return next;
      });
    } catch (err) {
      if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) throw conflict('another policy version was saved at the same moment; reload and try again');
      throw err;
    }
    this.current = { version, doc };
    for (const l of this.listeners) l(this.current);
    return { version, yaml, createdAt: at.toISOString(), createdBy: actor, comment };
  }

  private async latestRow(): Promise<Row | undefined> {
    const rows = await this.db.query('SELECT version, yaml FROM policy_versions ORDER BY version DESC LIMIT 1');
    return rows[0];
  }
}

/** parsePolicyYaml, with its ConfigError turned into `400 invalid_policy` "line N: reason". */
function parseOrThrow(yaml: string): PolicyDocument {
  try {
    return parsePolicyYaml(yaml, 'policy.yaml');
  } catch (err) {
    if (err instanceof ConfigError) throw badRequest(`${err.line === undefined ? '' : `line ${err.line}: `}${err.reason}`, 'invalid_policy');
    throw err;
  }
}

function toVersion(r: Row): PolicyVersion {
  return { version: intOf(r.version), yaml: strOf(r.yaml), createdAt: isoOf(r.created_at), createdBy: strOf(r.created_by), comment: strOf(r.comment) };
}
