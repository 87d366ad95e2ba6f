/** PGlite-only: the session mutex that makes one PGlite session safe for concurrent callers. */
import { expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';

export function pgliteSuite(h: () => Harness): void {
  it('serialises PGlite work: a query issued during a transaction never runs inside it', async () => {
    const db = h().server.db;
    await db.exec('CREATE TABLE IF NOT EXISTS mutex_probe (n int)');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (q) => {
      await q.query('INSERT INTO mutex_probe VALUES (1)');
      await gate;
      throw new Error('roll back');
    });
    // Queued behind the transaction; had it run inside, it would see the row.
    const outside = db.query<{ n: number }>('SELECT count(*)::int AS n FROM mutex_probe');
    release();
    await expect(tx).rejects.toThrow('roll back');
    expect((await outside)[0]?.n).toBe(0);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mutex_probe'))[0]?.n).toBe(0);
  });
}
