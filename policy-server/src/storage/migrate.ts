import type { Database } from './database.js';
import { intOf } from './rows.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/**
 * Brings the schema up to date, all in one transaction: either every pending migration is
 * applied and recorded, or none is. An advisory lock serialises two servers starting at once
 * against the same PostgreSQL. A database newer than this code is refused rather than used.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7432001)`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ version: unknown }>('SELECT version FROM schema_migrations ORDER BY version');
    const applied = new Set(rows.map((r) => intOf(r.version)));
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new Error(`the database has schema migrations this server does not know (${unknown.join(', ')}); run a newer policy server`);
    }
    const done: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      done.push(m.version);
    }
    return done;
  });
}
