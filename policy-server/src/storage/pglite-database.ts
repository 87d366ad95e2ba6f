import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, Row } from './database.js';

/**
 * The embedded backend: PGlite (PostgreSQL compiled to WASM) in a data directory, or in memory
 * when none is given. PGlite is a single session, so a transaction must own it exclusively:
 * every query and transaction goes through one mutex, otherwise a plain query issued while a
 * transaction is open would silently run inside it.
 */
export async function openPgliteDatabase(dataDir?: string, options: { loadDataDir?: Blob } = {}): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // initdb is most of PGlite's start-up (seconds); a dump of a fresh cluster skips it. It only
  // ever seeds an empty directory: an existing cluster is opened as it is.
  const seed = options.loadDataDir && !(dataDir && existsSync(join(dataDir, 'PG_VERSION'))) ? { loadDataDir: options.loadDataDir } : {};
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...seed });
  const mutex = new Mutex();

  const raw: Queryable = {
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await db.query<R>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };

  let closed = false;
  return {
    kind: 'pglite',
    query: (sql, params) => mutex.run(() => raw.query(sql, params)),
    exec: (sql) => mutex.run(() => raw.exec(sql)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return mutex.run(async () => {
        await db.exec('BEGIN');
        try {
          const result = await fn(raw);
          await db.exec('COMMIT');
          return result;
        } catch (err) {
          await db.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Wait for work in flight, so that a persistent data dir is closed consistently.
      await mutex.run(() => db.close());
    },
  };
}

/** A FIFO async mutex: each task starts after the previous one settles. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => task());
    this.tail = result.catch(() => undefined);
    return result;
  }
}
