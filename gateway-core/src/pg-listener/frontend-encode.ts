/**
 * Encoders for the frontend messages Gatehouse sends upstream: what the client sent, re-encoded
 * from the decoded (validated) form, with Bind's result formats rewritten where needed.
 */
import { frame } from './backend-messages.js';
import type { FormatCode } from './frontend-messages.js';

function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}

function int16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(n, 0);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

export function encodeQuery(sql: string): Buffer {
  return frame('Q', cstr(sql));
}

export function encodeParse(name: string, sql: string, paramTypes: readonly number[]): Buffer {
  const types = Buffer.allocUnsafe(4 * paramTypes.length);
  paramTypes.forEach((t, i) => types.writeUInt32BE(t, 4 * i));
  return frame('P', Buffer.concat([cstr(name), cstr(sql), int16(paramTypes.length), types]));
}

export function encodeBind(
  portal: string,
  statement: string,
  paramFormats: readonly FormatCode[],
  params: readonly (Buffer | null)[],
  resultFormats: readonly FormatCode[],
): Buffer {
  const parts: Buffer[] = [cstr(portal), cstr(statement), int16(paramFormats.length), ...paramFormats.map(int16), int16(params.length)];
  for (const p of params) {
    if (p === null) parts.push(int32(-1));
    else parts.push(int32(p.length), p);
  }
  parts.push(int16(resultFormats.length), ...resultFormats.map(int16));
  return frame('B', Buffer.concat(parts));
}

export function encodeDescribe(kind: 'S' | 'P', name: string): Buffer {
  return frame('D', Buffer.concat([Buffer.from(kind, 'latin1'), cstr(name)]));
}

export function encodeClose(kind: 'S' | 'P', name: string): Buffer {
  return frame('C', Buffer.concat([Buffer.from(kind, 'latin1'), cstr(name)]));
}

export function encodeExecute(portal: string, maxRows: number): Buffer {
  return frame('E', Buffer.concat([cstr(portal), int32(maxRows)]));
}

export const SYNC = frame('S');
export const FLUSH = frame('H');
