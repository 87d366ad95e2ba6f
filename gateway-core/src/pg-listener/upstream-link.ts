/**
 * The upstream side of a listener session: the editor's own connectUpstream (held credential,
 * TLS per config, SCRAM with the server's signature checked, read-only default and statement
 * timeout in the startup options), then the socket is taken over for a raw relay.
 *
 * Taking over: once pg's client is idle after its first query, the server sends nothing until
 * asked, so removing pg's 'data' listener leaves no message half-read; from then on the socket
 * carries only what the relay writes. pg's other listeners stay (its 'error' handler is a no-op).
 * This leans on pg's `connection.stream` (pinned: pg 8.23.1; a test covers it end to end); the
 * alternative, a SCRAM/md5 client and TLS setup of our own, duplicates upstream.ts.
 */
import type { Duplex } from 'node:stream';
import type { Upstream } from '../postgres/upstream.js';
import { ResultCatalog, type QueryRunner } from '../postgres/result-masking.js';
import type { FieldDescription } from './backend-messages.js';

/** ParameterStatus values a client expects after authentication (libpq/psql read most of these). */
export const REPORTED_PARAMETERS = [
  'server_version', 'server_encoding', 'client_encoding', 'application_name', 'default_transaction_read_only',
  'in_hot_standby', 'is_superuser', 'session_authorization', 'DateStyle', 'IntervalStyle', 'TimeZone',
  'integer_datetimes', 'standard_conforming_strings',
];

export interface UpstreamLink {
  socket: Duplex;
  parameters: ReadonlyArray<readonly [string, string]>;
  cancel(): Promise<void>;
  close(): void;
}

export async function linkUpstream(upstream: Upstream): Promise<UpstreamLink> {
  const { client } = upstream;
  let parameters: [string, string][];
  try {
    const r = await client.query<[string, string | null]>({
      text: 'SELECT n, pg_catalog.current_setting(n, true) FROM pg_catalog.unnest($1::text[]) AS n',
      values: [REPORTED_PARAMETERS],
      rowMode: 'array',
    });
    parameters = r.rows.filter((row): row is [string, string] => typeof row[1] === 'string').map(([n, v]) => [n, v]);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  const connection = (client as unknown as { connection?: { stream?: Duplex } }).connection;
  const socket = connection?.stream;
  if (!socket || typeof socket.removeAllListeners !== 'function') {
    await client.end().catch(() => undefined);
    throw new Error('the PostgreSQL driver does not expose its socket (pg version changed?)');
  }
  socket.removeAllListeners('data');
  return {
    socket,
    parameters,
    cancel: () => upstream.cancel(),
    close: () => {
      // Terminate ('X'), then close; the pg client object is discarded with the socket.
      if (!socket.destroyed) socket.end(Buffer.from([0x58, 0, 0, 0, 4]));
      setTimeout(() => socket.destroy(), 1_000).unref();
    },
  };
}

/** A QueryRunner over a second pg connection, for the column names that column rules need. */
export function catalogRunner(upstream: Upstream): QueryRunner & { close(): Promise<void> } {
  return {
    query: async (text, values) => {
      const r = await upstream.client.query<unknown[]>({ text, values, rowMode: 'array' });
      return { rows: r.rows };
    },
    close: () => upstream.client.end().catch(() => undefined),
  };
}

/**
 * A session's column catalog (table OID/attnum → schema.table.column for column rules), over a
 * second connection opened at the first look-up: results without table columns never open it.
 */
export class SessionCatalog {
  private readonly catalog = new ResultCatalog();
  private db: Promise<QueryRunner & { close(): Promise<void> }> | null = null;

  constructor(private readonly open: () => Promise<QueryRunner & { close(): Promise<void> }>) {}

  readonly query: QueryRunner['query'] = (text, values) => {
    this.db ??= this.open();
    return this.db.then((db) => db.query(text, values));
  };

  async load(fields: readonly FieldDescription[]): Promise<ResultCatalog> {
    if (fields.some((f) => f.tableID !== 0)) await this.catalog.load(fields as never, { query: this.query });
    return this.catalog;
  }

  close(): void {
    void this.db?.then((db) => db.close()).catch(() => undefined);
  }
}
