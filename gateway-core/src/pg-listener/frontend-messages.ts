/**
 * Client → Gatehouse messages: strict decoding of each frame's payload. Every field must lie
 * inside the payload, every count must match, strings must be NUL-terminated UTF-8 without
 * trailing bytes, and unknown types are refused. Errors are ProtocolError (one connection ends).
 */
import { FrameReader, ProtocolError, type Frame, type FrameReaderOptions } from './frame-reader.js';

export const PROTOCOL_3_0 = 196608;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

export type FormatCode = 0 | 1;

export type FrontendMessage =
  | { type: 'Startup'; protocol: number; params: Map<string, string> }
  | { type: 'SSLRequest' }
  | { type: 'GSSENCRequest' }
  | { type: 'CancelRequest'; processId: number; secretKey: number }
  | { type: 'Query'; sql: string }
  | { type: 'Parse'; name: string; sql: string; paramTypes: number[] }
  /** `raw`: the whole message as received, forwarded as it is when nothing in it needs rewriting. */
  | { type: 'Bind'; portal: string; statement: string; paramFormats: FormatCode[]; params: (Buffer | null)[]; resultFormats: FormatCode[]; raw: Buffer }
  | { type: 'Describe'; kind: 'S' | 'P'; name: string }
  | { type: 'Execute'; portal: string; maxRows: number; raw: Buffer }
  | { type: 'Close'; kind: 'S' | 'P'; name: string }
  | { type: 'Sync' }
  | { type: 'Flush' }
  | { type: 'Terminate' }
  | { type: 'FunctionCall'; oid: number }
  | { type: 'CopyData'; data: Buffer }
  | { type: 'CopyDone' }
  | { type: 'CopyFail'; message: string }
  /** 'p': PasswordMessage, SASLInitialResponse or SASLResponse; which one depends on the auth state. */
  | { type: 'AuthResponse'; data: Buffer };

const MAX_PARAMS = 65_535;

/** A read cursor over one payload; every read is bounds-checked. */
export class PayloadReader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new ProtocolError(`${this.what}: message is truncated`);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new ProtocolError(`${this.what}: unterminated string`);
    // Names are usually short ASCII, valid UTF-8 as they are: no view, no TextDecoder call.
    let ascii = end - this.pos <= 64;
    for (let i = this.pos; i < end && ascii; i++) ascii = this.buf[i]! < 0x80;
    const s = ascii ? this.buf.toString('latin1', this.pos, end) : decodeUtf8(this.buf.subarray(this.pos, end), this.what);
    this.pos = end + 1;
    return s;
  }

  rest(): Buffer {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new ProtocolError(`${this.what}: ${this.buf.length - this.pos} unexpected trailing bytes`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtocolError(`${what}: invalid UTF-8`, '22021');
  }
}

function formatCodes(r: PayloadReader, count: number, what: string): FormatCode[] {
  if (count < 0 || count > MAX_PARAMS) throw new ProtocolError(`${what}: invalid format count ${count}`);
  const out: FormatCode[] = [];
  for (let i = 0; i < count; i++) {
    const f = r.int16();
    if (f !== 0 && f !== 1) throw new ProtocolError(`${what}: invalid format code ${f}`);
    out.push(f);
  }
  return out;
}

function describeKind(b: number, what: string): 'S' | 'P' {
  if (b === 0x53) return 'S';
  if (b === 0x50) return 'P';
  throw new ProtocolError(`${what}: invalid target type`);
}

/** Decodes a startup-phase packet (the payload after the length). */
export function decodeStartupPacket(payload: Buffer): FrontendMessage {
  const r = new PayloadReader(payload, 'startup packet');
  const code = r.int32();
  if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
    r.end();
    return { type: code === SSL_REQUEST_CODE ? 'SSLRequest' : 'GSSENCRequest' };
  }
  if (code === CANCEL_REQUEST_CODE) {
    const processId = r.int32();
    const secretKey = r.int32();
    r.end();
    return { type: 'CancelRequest', processId, secretKey };
  }
  if (code >>> 16 !== 3) throw new ProtocolError(`unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: Gatehouse speaks 3.0`, '0A000');
  const params = new Map<string, string>();
  for (;;) {
    const key = r.cstring();
    if (key === '') break;
    const value = r.cstring();
    if (params.has(key)) throw new ProtocolError(`startup packet: duplicate parameter "${key.slice(0, 64)}"`);
    params.set(key, value);
  }
  r.end();
  return { type: 'Startup', protocol: code, params };
}

/** Decodes one regular-phase frame. */
export function decodeFrontendFrame(frame: Frame): FrontendMessage {
  const p = frame.payload;
  switch (frame.type) {
    case 'Q': {
      const r = new PayloadReader(p, 'Query');
      const sql = r.cstring();
      r.end();
      return { type: 'Query', sql };
    }
    case 'P': {
      const r = new PayloadReader(p, 'Parse');
      const name = r.cstring();
      const sql = r.cstring();
      const n = r.int16();
      if (n < 0) throw new ProtocolError('Parse: invalid parameter count');
      const paramTypes: number[] = [];
      for (let i = 0; i < n; i++) paramTypes.push(r.uint32());
      r.end();
      return { type: 'Parse', name, sql, paramTypes };
    }
    case 'B': {
      const r = new PayloadReader(p, 'Bind');
      const portal = r.cstring();
      const statement = r.cstring();
      const paramFormats = formatCodes(r, r.int16(), 'Bind');
      const n = r.int16();
      if (n < 0) throw new ProtocolError('Bind: invalid parameter count');
      if (paramFormats.length > 1 && paramFormats.length !== n) throw new ProtocolError('Bind: parameter format count does not match the parameter count');
      const params: (Buffer | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.int32();
        if (len === -1) params.push(null);
        else if (len < 0) throw new ProtocolError('Bind: invalid parameter length');
        else params.push(r.bytes(len));
      }
      const resultFormats = formatCodes(r, r.int16(), 'Bind');
      r.end();
      return { type: 'Bind', portal, statement, paramFormats, params, resultFormats, raw: frame.raw };
    }
    case 'D':
    case 'C': {
      const what = frame.type === 'D' ? 'Describe' : 'Close';
      const r = new PayloadReader(p, what);
      const kind = describeKind(r.byte(), what);
      const name = r.cstring();
      r.end();
      return { type: frame.type === 'D' ? 'Describe' : 'Close', kind, name };
    }
    case 'E': {
      const r = new PayloadReader(p, 'Execute');
      const portal = r.cstring();
      const maxRows = r.int32();
      if (maxRows < 0) throw new ProtocolError('Execute: negative row limit');
      r.end();
      return { type: 'Execute', portal, maxRows, raw: frame.raw };
    }
    case 'S':
    case 'H':
    case 'X':
    case 'c': {
      if (p.length !== 0) throw new ProtocolError(`message '${frame.type}' must be empty`);
      return { type: frame.type === 'S' ? 'Sync' : frame.type === 'H' ? 'Flush' : frame.type === 'X' ? 'Terminate' : 'CopyDone' };
    }
    case 'F': {
      // Only the function OID matters: FunctionCall is refused whole.
      const r = new PayloadReader(p, 'FunctionCall');
      return { type: 'FunctionCall', oid: r.uint32() };
    }
    case 'd':
      return { type: 'CopyData', data: p };
    case 'f': {
      const r = new PayloadReader(p, 'CopyFail');
      const message = r.cstring();
      r.end();
      return { type: 'CopyFail', message };
    }
    case 'p':
      return { type: 'AuthResponse', data: p };
    default:
      throw new ProtocolError(`unknown message type 0x${frame.type.charCodeAt(0).toString(16).padStart(2, '0')}`);
  }
}

/**
 * The client side of one connection: frames + decoding, switching out of the startup phase
 * after a protocol 3.0 startup packet. `push` returns decoded messages or throws ProtocolError.
 */
export class FrontendParser {
  private readonly reader: FrameReader;
  private failure: ProtocolError | null = null;
  constructor(opts: Omit<FrameReaderOptions, 'startup'> = {}) {
    this.reader = new FrameReader({ ...opts, startup: true });
  }

  get bufferedBytes(): number {
    return this.reader.bufferedBytes;
  }

  get hasPartialFrame(): boolean {
    return this.reader.hasPartialFrame;
  }

  push(chunk: Buffer): FrontendMessage[] {
    if (this.failure) throw this.failure;
    try {
      const out: FrontendMessage[] = [];
      let frames = this.reader.push(chunk);
      while (frames.length > 0) {
        let startup = false;
        for (const frame of frames) {
          if (frame.type === '') {
            startup = true;
            const msg = decodeStartupPacket(frame.payload);
            out.push(msg);
            if (msg.type === 'Startup') this.reader.endStartupPhase();
          } else {
            out.push(decodeFrontendFrame(frame));
          }
        }
        // Startup-phase packets come one at a time: poll again in whichever phase is now current.
        if (!startup) break;
        frames = this.reader.push(Buffer.alloc(0));
      }
      return out;
    } catch (err) {
      this.failure = err instanceof ProtocolError ? err : new ProtocolError('invalid message');
      throw this.failure;
    }
  }
}
