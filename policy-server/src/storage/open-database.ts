import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { openPgDatabase } from './pg-database.js';
import { openPgliteDatabase } from './pglite-database.js';

/** Where the policy server keeps its state. */
export type DatabaseOption =
  /** `template`: a PGlite dump (dumpDataDir) of an empty cluster to start an empty one from, skipping initdb. */
  | { kind: 'memory'; template?: Blob }
  | { kind: 'pglite'; dataDir: string; template?: Blob }
  | { kind: 'postgres'; url: string; poolSize?: number };

/** Opens the database and applies pending migrations; closes it again if migrating fails. */
export async function openDatabase(option: DatabaseOption): Promise<Database> {
  const db =
    option.kind === 'postgres'
      ? await openPgDatabase(option.url, option.poolSize !== undefined ? { max: option.poolSize } : {})
      : option.kind === 'pglite'
        ? await openPgliteDatabase(option.dataDir, option.template ? { loadDataDir: option.template } : {})
        : await openPgliteDatabase(undefined, option.template ? { loadDataDir: option.template } : {});
  try {
    await migrate(db);
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
