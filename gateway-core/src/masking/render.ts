/**
 * Renders a value as node-postgres returns it (string, number, bigint, boolean, Date, Buffer,
 * arrays, parsed json/jsonb objects) to the text that is masked and shown. Arrays and objects
 * render as JSON so that detectors see every element.
 */
import { Buffer } from 'node:buffer';

export function renderValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  const json = JSON.stringify(value, jsonReplacer);
  // JSON.stringify returns undefined for e.g. an object whose toJSON returns undefined.
  return json === undefined ? String(value) : json;
}

function jsonReplacer(this: unknown, _key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  // Buffer.prototype.toJSON already ran; render bytea inside arrays/objects like pg's text form.
  if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
    return `\\x${Buffer.from((v as { data: number[] }).data).toString('hex')}`;
  }
  return v;
}
