/** Reading rows the same way from pg and PGlite (see database.ts for why values need this). */

export function isoOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return new Date(value).toISOString();
  throw new TypeError(`expected a timestamp, got ${typeof value}`);
}

export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : isoOf(value);
}

export function intOf(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number.parseInt(value, 10) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new TypeError(`expected an integer, got ${String(value)}`);
  return n;
}

export function intOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : intOf(value);
}

export function strOf(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`expected a string, got ${typeof value}`);
  return value;
}

export function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : strOf(value);
}

/** jsonb arrives parsed from both drivers; a string would mean a json-typed column slipped in. */
export function jsonOf(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
