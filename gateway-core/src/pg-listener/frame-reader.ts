/**
 * Strict framing of the PostgreSQL wire protocol (v3) for one direction of one connection.
 *
 * - Startup phase (client side only): `int32 length, int32 code, payload`, no type byte.
 * - Regular phase: `byte1 type, int32 length (including itself), payload`.
 *
 * A declared length is checked against the limit before a single payload byte is buffered, so a
 * peer that announces 2 GiB makes us allocate nothing; chunks are kept as a list and joined only
 * when a whole frame is present. Any violation throws ProtocolError and the reader stays failed:
 * the caller ends that one connection.
 */

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** PostgreSQL's own limit for a startup packet (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_BYTES = 10_000;

export class ProtocolError extends Error {
  /** SQLSTATE for the ErrorResponse sent before closing (08P01 protocol_violation by default). */
  readonly sqlstate: string;
  constructor(message: string, sqlstate = '08P01') {
    super(message);
    this.name = 'ProtocolError';
    this.sqlstate = sqlstate;
  }
}

export interface Frame {
  /** The type byte as a one-character string; '' for a startup-phase packet. */
  type: string;
  /** The payload, without type byte and length. A view into a buffer the reader no longer uses. */
  payload: Buffer;
}

export interface FrameReaderOptions {
  /** Largest accepted frame, length field included. */
  maxMessageBytes?: number;
  /** Begin in the startup phase (frames without a type byte). */
  startup?: boolean;
}

export class FrameReader {
  private readonly maxBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private startupPhase: boolean;
  private failure: ProtocolError | null = null;

  constructor(opts: FrameReaderOptions = {}) {
    this.maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 8) throw new RangeError('maxMessageBytes must be an integer >= 8');
    this.startupPhase = opts.startup ?? false;
  }

  /** Bytes held waiting for the rest of a frame (bounded by the limit plus one read). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  get inStartupPhase(): boolean {
    return this.startupPhase;
  }

  /** Switches to regular (typed) frames; called once the startup packet has been read. */
  endStartupPhase(): void {
    this.startupPhase = false;
  }

  /** Adds bytes and returns every complete frame. Throws ProtocolError (and stays failed). */
  push(chunk: Buffer): Frame[] {
    if (this.failure) throw this.failure;
    try {
      if (chunk.length > 0) {
        this.chunks.push(chunk);
        this.buffered += chunk.length;
      }
      const frames: Frame[] = [];
      for (;;) {
        const frame = this.next();
        if (!frame) break;
        frames.push(frame);
        // A startup packet may switch the phase; the caller polls again (push of an empty chunk).
        if (frame.type === '') break;
      }
      return frames;
    } catch (err) {
      this.failure = err instanceof ProtocolError ? err : new ProtocolError('invalid message framing');
      this.chunks = [];
      this.buffered = 0;
      throw this.failure;
    }
  }

  /** Whether a partial frame is pending (a peer that closes now truncated a message). */
  get hasPartialFrame(): boolean {
    return this.buffered > 0;
  }

  private next(): Frame | null {
    const headerBytes = this.startupPhase ? 4 : 5;
    if (this.buffered < headerBytes) return null;
    const header = this.peek(headerBytes);
    const type = this.startupPhase ? '' : String.fromCharCode(header[0]!);
    const length = header.readInt32BE(this.startupPhase ? 0 : 1);
    const limit = this.startupPhase ? MAX_STARTUP_BYTES : this.maxBytes;
    if (this.startupPhase && length < 8) throw new ProtocolError(`invalid startup packet length ${length}`);
    if (length < 4) throw new ProtocolError(`invalid message length ${length}`);
    if (length > limit) throw new ProtocolError(`message of ${length} bytes exceeds the limit of ${limit} bytes`, this.startupPhase ? '08P01' : '54000');
    const total = length + (this.startupPhase ? 0 : 1);
    if (this.buffered < total) return null;
    const whole = this.take(total);
    return { type, payload: whole.subarray(headerBytes) };
  }

  /** The first n buffered bytes (n <= buffered), joining chunks only as far as needed. */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    const parts: Buffer[] = [];
    let have = 0;
    for (const c of this.chunks) {
      parts.push(c);
      have += c.length;
      if (have >= n) break;
    }
    return Buffer.concat(parts, have);
  }

  /** Removes and returns the first n buffered bytes (n <= buffered). */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0]!;
        const want = n - off;
        if (c.length <= want) {
          c.copy(out, off);
          off += c.length;
          this.chunks.shift();
        } else {
          c.copy(out, off, 0, want);
          this.chunks[0] = c.subarray(want);
          off += want;
        }
      }
    }
    this.buffered -= n;
    return out;
  }
}
