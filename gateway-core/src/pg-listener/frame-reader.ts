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
  readonly type: string;
  /** The payload, without type byte and length. A view into a buffer the reader no longer uses. */
  readonly payload: Buffer;
  /** The whole frame as received (type byte and length included), for passing it on unchanged. */
  readonly raw: Buffer;
}

/** The payload view is made only when asked for: relayed rows and tags never need it. */
class ReadFrame implements Frame {
  private view: Buffer | undefined;
  constructor(
    readonly type: string,
    readonly raw: Buffer,
    private readonly headerBytes: number,
  ) {}

  get payload(): Buffer {
    this.view ??= this.raw.subarray(this.headerBytes);
    return this.view;
  }
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
  /** Bytes of chunks[0] already taken (frames are views into it; re-slicing it per frame cost a view each). */
  private offset = 0;
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
      this.offset = 0;
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
    // The header, read in place when the first chunk holds it (the common case: no copy, no view).
    const first = this.chunks[0]!;
    const inPlace = first.length - this.offset >= headerBytes;
    const header = inPlace ? first : this.peek(headerBytes);
    const at = inPlace ? this.offset : 0;
    const type = this.startupPhase ? '' : String.fromCharCode(header[at]!);
    const length = header.readInt32BE(at + (this.startupPhase ? 0 : 1));
    const limit = this.startupPhase ? MAX_STARTUP_BYTES : this.maxBytes;
    if (this.startupPhase && length < 8) throw new ProtocolError(`invalid startup packet length ${length}`);
    if (length < 4) throw new ProtocolError(`invalid message length ${length}`);
    if (length > limit) throw new ProtocolError(`message of ${length} bytes exceeds the limit of ${limit} bytes`, this.startupPhase ? '08P01' : '54000');
    const total = length + (this.startupPhase ? 0 : 1);
    if (this.buffered < total) return null;
    const whole = this.take(total);
    return new ReadFrame(type, whole, headerBytes);
  }

  /** The first n buffered bytes (n <= buffered), joined from the chunks. */
  private peek(n: number): Buffer {
    const parts: Buffer[] = [];
    let have = 0;
    for (let i = 0; have < n; i++) {
      const c = i === 0 ? this.chunks[0]!.subarray(this.offset) : this.chunks[i]!;
      parts.push(c);
      have += c.length;
    }
    return Buffer.concat(parts, have);
  }

  /** Removes and returns the first n buffered bytes (n <= buffered). */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length - this.offset >= n) {
      out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0]!;
        const avail = c.length - this.offset;
        const want = n - off;
        if (avail <= want) {
          c.copy(out, off, this.offset);
          off += avail;
          this.chunks.shift();
          this.offset = 0;
        } else {
          c.copy(out, off, this.offset, this.offset + want);
          this.offset += want;
          off += want;
        }
      }
    }
    this.buffered -= n;
    return out;
  }
}
