/**
 * Query history per identity, newest first, masked before it is stored. In memory for now (it
 * is lost when the gateway stops); the recording issue moves it to the spooled SQL recordings.
 */
import { randomUUID } from 'node:crypto';
import type { SqlHistoryEntry } from '../contract/sql-schemas.js';

export const HISTORY_PER_IDENTITY = 500;

export class SqlHistory {
  private readonly byIdentity = new Map<string, SqlHistoryEntry[]>();

  constructor(private readonly capacity = HISTORY_PER_IDENTITY) {}

  /** `maskedText` must already be masked: history is a path out of gateway-core like any other. */
  add(identityId: string, entry: Omit<SqlHistoryEntry, 'id' | 'at'> & { at?: string }): void {
    let list = this.byIdentity.get(identityId);
    if (!list) {
      list = [];
      this.byIdentity.set(identityId, list);
    }
    list.unshift({ ...entry, id: randomUUID(), at: entry.at ?? new Date().toISOString() });
    if (list.length > this.capacity) list.length = this.capacity;
  }

  list(identityId: string, filter: { connectionId?: string; limit?: number } = {}): SqlHistoryEntry[] {
    const list = this.byIdentity.get(identityId) ?? [];
    const matching = filter.connectionId ? list.filter((e) => e.connectionId === filter.connectionId) : list;
    return matching.slice(0, filter.limit ?? 100);
  }
}
