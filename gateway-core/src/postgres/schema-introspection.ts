/**
 * Schemas, relations and columns for the schema browser and editor completion. Runs in its own
 * READ ONLY transaction with the role's timeout, on a short-lived connection, and is cached per
 * connection for a short while (the sidebar and completion ask often; the catalog rarely moves).
 */
import type pg from 'pg';
import type { SqlSchema } from '../contract/sql-schemas.js';

type RelationKind = SqlSchema['schemas'][number]['relations'][number]['kind'];

const KINDS: Readonly<Record<string, RelationKind>> = {
  r: 'table',
  v: 'view',
  m: 'materialized-view',
  f: 'foreign-table',
  p: 'partitioned-table',
};

/** Bounds the answer on very large catalogs; the sidebar cannot show more usefully anyway. */
export const MAX_RELATIONS = 5_000;

const SCHEMA_QUERY = `
SELECT n.nspname, c.relname, c.relkind::text,
       CASE WHEN c.relkind IN ('r','m','p','f') AND c.reltuples >= 0 THEN c.reltuples::float8 END AS estimate,
       coalesce(json_agg(json_build_array(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), NOT a.attnotnull)
                         ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), '[]')::text AS columns
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r','v','m','f','p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
   AND has_schema_privilege(n.oid, 'USAGE')
 GROUP BY n.nspname, c.relname, c.relkind, c.reltuples
 ORDER BY n.nspname, c.relname
 LIMIT ${MAX_RELATIONS}`;

export async function introspectSchema(client: pg.Client, statementTimeoutMs: number): Promise<SqlSchema> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(statementTimeoutMs))}`);
    const r = await client.query<[string, string, string, number | null, string]>({ text: SCHEMA_QUERY, rowMode: 'array' });
    const schemas = new Map<string, SqlSchema['schemas'][number]>();
    for (const [schema, name, kind, estimate, columnsJson] of r.rows) {
      let entry = schemas.get(schema);
      if (!entry) {
        entry = { name: schema, relations: [] };
        schemas.set(schema, entry);
      }
      const columns = (JSON.parse(columnsJson) as [string, string, boolean][]).map(([col, type, nullable]) => ({ name: col, type, nullable }));
      entry.relations.push({ name, kind: KINDS[kind] ?? 'table', rowEstimate: estimate === null ? null : Math.round(Number(estimate)), columns });
    }
    return { schemas: [...schemas.values()] };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}
