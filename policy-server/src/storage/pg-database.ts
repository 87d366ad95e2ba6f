import pg from 'pg';
import type { Database, Queryable, Row } from './database.js';

/**
 * PostgreSQL through a `pg` pool: the production backend (`--database-url`). Transactions take a
 * dedicated client so that concurrent requests never share one.
 */
export async function openPgDatabase(connectionString: string, options: { max?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: 'gatehouse-policy-server' });
  // An idle client that loses its server emits 'error' on the pool; without a listener that
  // would crash the process. The next query reconnects.
  pool.on('error', () => undefined);
  // Fail at start, not on the first request, when the URL is wrong.
  const probe = await pool.connect();
  probe.release();

  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await client.query(sql, params as unknown[]);
      return result.rows as R[];
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  });
  const direct = on(pool);

  return {
    kind: 'pg',
    query: direct.query,
    exec: direct.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
