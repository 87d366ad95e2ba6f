/**
 * Gatehouse → client messages: encoders for what Gatehouse says itself, and decoders/re-encoders
 * for the upstream messages it must look into (RowDescription, DataRow, ErrorResponse,
 * NoticeResponse, NotificationResponse, ReadyForQuery). Everything else is relayed as raw frames.
 */
import { ProtocolError } from './frame-reader.js';
import { PayloadReader } from './frontend-messages.js';

export type TxStatus = 'I' | 'T' | 'E';

/** One frame: type byte, int32 length, payload. */
export function frame(type: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.length);
  out[0] = type.charCodeAt(0);
  out.writeInt32BE(4 + payload.length, 1);
  payload.copy(out, 5);
  return out;
}

function cstr(s: string): Buffer {
  return Buffer.from(`${s.replace(/\0/g, '')}\0`, 'utf8');
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

export function authenticationOk(): Buffer {
  return frame('R', int32(0));
}

export function authenticationSasl(mechanisms: readonly string[]): Buffer {
  return frame('R', Buffer.concat([int32(10), ...mechanisms.map(cstr), Buffer.from([0])]));
}

export function authenticationSaslContinue(data: string): Buffer {
  return frame('R', Buffer.concat([int32(11), Buffer.from(data, 'utf8')]));
}

export function authenticationSaslFinal(data: string): Buffer {
  return frame('R', Buffer.concat([int32(12), Buffer.from(data, 'utf8')]));
}

export function parameterStatus(name: string, value: string): Buffer {
  return frame('S', Buffer.concat([cstr(name), cstr(value)]));
}

export function backendKeyData(processId: number, secretKey: number): Buffer {
  return frame('K', Buffer.concat([int32(processId), int32(secretKey)]));
}

export function readyForQuery(status: TxStatus): Buffer {
  return frame('Z', Buffer.from(status, 'latin1'));
}

/** ErrorResponse/NoticeResponse fields keyed by their one-letter codes (S, V, C, M, D, H, P, ...). */
export type NoticeFields = Map<string, string>;

export function errorFields(severity: 'ERROR' | 'FATAL', sqlstate: string, message: string, extra: Record<string, string> = {}): NoticeFields {
  const f: NoticeFields = new Map([
    ['S', severity],
    ['V', severity],
    ['C', sqlstate],
    ['M', message],
  ]);
  for (const [k, v] of Object.entries(extra)) f.set(k, v);
  return f;
}

export function encodeNotice(type: 'E' | 'N', fields: NoticeFields): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of fields) parts.push(Buffer.from(k, 'latin1'), cstr(v));
  parts.push(Buffer.from([0]));
  return frame(type, Buffer.concat(parts));
}

export function errorResponse(severity: 'ERROR' | 'FATAL', sqlstate: string, message: string, extra: Record<string, string> = {}): Buffer {
  return encodeNotice('E', errorFields(severity, sqlstate, message, extra));
}

export function decodeNotice(payload: Buffer): NoticeFields {
  const r = new PayloadReader(payload, 'ErrorResponse');
  const fields: NoticeFields = new Map();
  for (;;) {
    const code = r.byte();
    if (code === 0) break;
    fields.set(String.fromCharCode(code), r.cstring());
  }
  r.end();
  return fields;
}

export interface FieldDescription {
  name: string;
  tableID: number;
  columnID: number;
  dataTypeID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: number;
}

export function decodeRowDescription(payload: Buffer): FieldDescription[] {
  const r = new PayloadReader(payload, 'RowDescription');
  const n = r.int16();
  if (n < 0) throw new ProtocolError('RowDescription: invalid field count');
  const fields: FieldDescription[] = [];
  for (let i = 0; i < n; i++) {
    fields.push({
      name: r.cstring(),
      tableID: r.uint32(),
      columnID: r.int16(),
      dataTypeID: r.uint32(),
      dataTypeSize: r.int16(),
      dataTypeModifier: r.int32(),
      format: r.int16(),
    });
  }
  r.end();
  return fields;
}

/**
 * A DataRow frame (`raw`, already validated) with some values replaced: `replaced[i]` undefined
 * keeps column i's bytes, null makes it NULL, a string is written as UTF-8.
 */
export function rewriteDataRow(raw: Buffer, replaced: readonly (string | null | undefined)[]): Buffer {
  let size = 2;
  let off = 7;
  for (let i = 0; i < replaced.length; i++) {
    const len = raw.readInt32BE(off);
    off += 4 + Math.max(len, 0);
    const r = replaced[i];
    size += 4 + (r === undefined ? Math.max(len, 0) : r === null ? 0 : Buffer.byteLength(r, 'utf8'));
  }
  const out = Buffer.allocUnsafe(5 + size);
  out[0] = 0x44;
  out.writeInt32BE(4 + size, 1);
  out.writeInt16BE(replaced.length, 5);
  let w = 7;
  off = 7;
  for (let i = 0; i < replaced.length; i++) {
    const len = raw.readInt32BE(off);
    const start = off + 4;
    off = start + Math.max(len, 0);
    const r = replaced[i];
    if (r === undefined) {
      out.writeInt32BE(len, w);
      if (len > 0) raw.copy(out, w + 4, start, start + len);
      w += 4 + Math.max(len, 0);
    } else if (r === null) {
      out.writeInt32BE(-1, w);
      w += 4;
    } else {
      const n = out.write(r, w + 4, 'utf8');
      out.writeInt32BE(n, w);
      w += 4 + n;
    }
  }
  return out;
}

export interface Notification {
  processId: number;
  channel: string;
  payload: string;
}

export function decodeNotification(payload: Buffer): Notification {
  const r = new PayloadReader(payload, 'NotificationResponse');
  const processId = r.int32();
  const channel = r.cstring();
  const text = r.cstring();
  r.end();
  return { processId, channel, payload: text };
}

export function encodeNotification(n: Notification): Buffer {
  return frame('A', Buffer.concat([int32(n.processId), cstr(n.channel), cstr(n.payload)]));
}

export function decodeReadyForQuery(payload: Buffer): TxStatus {
  const s = payload.length === 1 ? String.fromCharCode(payload[0]!) : '';
  if (s !== 'I' && s !== 'T' && s !== 'E') throw new ProtocolError('ReadyForQuery: invalid transaction status');
  return s;
}
