/**
 * The two ways a statement's rows are read, both bounded: FETCH from the broker's own
 * server-side cursor, and a protocol-level cursor (pg-query-stream) for row-returning statements
 * that cannot be wrapped in DECLARE (SHOW, EXPLAIN, EXECUTE, FETCH from a user's cursor).
 * Values stay the server's text, so the masker sees exactly what a client would display.
 */
import type { FieldDef } from 'pg';
import type pg from 'pg';
import QueryStream from 'pg-query-stream';

const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** An upstream error plus how much text the broker put before the user's statement. */
export class PositionedError extends Error {
  constructor(
    readonly inner: unknown,
    readonly prefixLength: number,
  ) {
    super('statement failed');
  }
}

export function fetchFromCursor(client: pg.Client, cursor: string, count: number): Promise<{ rows: unknown[][]; fields: FieldDef[] }> {
  return client.query({ text: `FETCH FORWARD ${Math.max(1, count)} FROM ${cursor}`, rowMode: 'array', types: RAW_TEXT });
}

/** Reads at most `limit` rows, then closes the portal; even FETCH ALL cannot fill memory. */
export async function readBounded(
  client: pg.Client,
  text: string,
  limit: number,
): Promise<{ rows: unknown[][]; fields: FieldDef[]; command: string; rowCount: number | null }> {
  const stream = new QueryStream(text, [], { rowMode: 'array', batchSize: Math.min(limit, 1000), types: RAW_TEXT });
  client.query(stream);
  const rows: unknown[][] = [];
  try {
    for await (const row of stream) {
      rows.push(row as unknown[]);
      if (rows.length >= limit) break;
    }
  } catch (err) {
    throw new PositionedError(err, 0);
  }
  const result = (stream.cursor as { _result: { fields: FieldDef[]; command: string | null; rowCount: number | null } })._result;
  return { rows, fields: result.fields, command: result.command ?? '', rowCount: result.rowCount ?? null };
}
