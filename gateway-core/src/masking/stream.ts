/**
 * Streaming masker for terminal output.
 *
 * - Escapes are split out first (ansi.ts), so detection sees the text a human sees.
 * - The tail that could still be the beginning of a value (a trailing digit group run, a
 *   trailing token such as `jane.doe@exa`, an unterminated PEM block, an unfinished escape) is
 *   held back, bounded by `holdBackBytes`, and flushed masked after `flushMs` of silence.
 * - A short context of already-emitted plain text is rescanned with the next chunk, so a value
 *   that straddles a flush anyway (slow output, keystroke echo, an over-long tail) still has its
 *   not-yet-emitted part masked.
 * - A lone non-digit keystroke echo is never held.
 */
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { hasEscapeChar, hasNoEscapeBytes, splitAnsi, type AnsiSplit, type EscapeSpan } from './ansi.js';
import { MaskingError, type Masker } from './masker.js';
import { maskContinuation } from './replace.js';
import type { RawHit } from './types.js';

export interface StreamMaskerOptions {
  /** Max held tail, in UTF-16 code units (= bytes for ASCII). Default 4096. */
  holdBackBytes?: number;
  /** Held text is flushed (masked) after this many ms without input. Default 8. */
  flushMs?: number;
  /** Receives output produced by the flush timer. Without it no timer runs: call flush(). */
  onData?: (masked: string) => void;
  /** Called if a timer flush fails (fail closed: the held text is dropped). */
  onError?: (err: MaskingError) => void;
}

export interface StreamMasker {
  /** Masks what can be emitted now; the rest is held. */
  write(chunk: string | Uint8Array): string;
  /** Emits everything held, masked. */
  flush(): string;
  /** Flushes, including an incomplete UTF-8 sequence, and stops the timer. */
  end(): string;
  /** Held UTF-16 code units. */
  readonly pending: number;
}

const CONTEXT_CHARS = 512;
const PEM_HOLD_CHARS = 16_384;
const PEM_OPEN_BUDGET = 262_144;

export function createStreamMasker(masker: Masker, options: StreamMaskerOptions = {}): StreamMasker {
  return new StreamMaskerImpl(masker, options);
}

class StreamMaskerImpl implements StreamMasker {
  private readonly holdBack: number;
  private readonly flushMs: number;
  private readonly decoder = new StringDecoder('utf8');
  private held = '';
  /** `held` is known to hold no ESC or C1 character (splitAnsi can skip its search). */
  private heldPlain = true;
  private ctx = '';
  /** BEGIN line of a private key whose END has not been seen yet. */
  private pemHeader: string | null = null;
  private pemBudget = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly masker: Masker,
    private readonly opts: StreamMaskerOptions,
  ) {
    this.holdBack = Math.max(64, opts.holdBackBytes ?? 4096);
    this.flushMs = Math.max(0, opts.flushMs ?? 8);
  }

  get pending(): number {
    return this.held.length;
  }

  write(chunk: string | Uint8Array): string {
    this.clearTimer();
    if (typeof chunk === 'string') {
      this.heldPlain &&= !hasEscapeChar(chunk);
      this.held += chunk;
    } else {
      this.heldPlain &&= hasNoEscapeBytes(chunk);
      this.held += this.decoder.write(chunk);
    }
    const out = this.process(false);
    if (this.held.length > 0 && this.opts.onData) {
      this.timer = setTimeout(() => this.onTimer(), this.flushMs);
      this.timer.unref?.();
    }
    return out;
  }

  flush(): string {
    this.clearTimer();
    return this.process(true);
  }

  end(): string {
    this.clearTimer();
    const rest = this.decoder.end();
    this.heldPlain &&= !hasEscapeChar(rest);
    this.held += rest;
    return this.process(true);
  }

  private onTimer(): void {
    this.timer = null;
    let out: string;
    try {
      out = this.process(true);
    } catch (e) {
      this.held = '';
      this.heldPlain = true;
      this.opts.onError?.(e instanceof MaskingError ? e : new MaskingError('stream flush failed'));
      return;
    }
    if (out) this.opts.onData?.(out);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private process(force: boolean): string {
    const text = this.held;
    if (!text) return '';
    const a = splitAnsi(text, force, this.heldPlain);
    const plain = a.plain;
    const k = force ? plain.length : this.holdPoint(plain);
    const cut = a.map ? a.map[k]! : k === plain.length && a.incompleteFrom >= 0 ? a.incompleteFrom : k;
    const emit = plain.slice(0, k);
    this.held = text.slice(cut);
    // The held tail of escape-free text is escape-free; otherwise look again (it is short).
    this.heldPlain = a.escapes.length === 0 && a.incompleteFrom < 0 ? true : !hasEscapeChar(this.held);
    if (!emit && cut === 0) return '';

    // Rescan the emitted context with the new text; an open PEM block is re-opened synthetically.
    const prefix = this.pemHeader ? `${this.pemHeader}\n` : '';
    const offset = prefix.length + this.ctx.length;
    const hits = emit ? this.masker.scan(prefix + this.ctx + emit) : [];
    const last = hits[hits.length - 1];
    this.pemBudget += this.pemHeader ? emit.length : 0;
    if (last?.open && last.detector === 'pem-private-key' && (this.pemHeader === null || this.pemBudget < PEM_OPEN_BUDGET)) {
      const scanned = prefix + this.ctx + emit;
      if (!this.pemHeader || last.start >= offset) this.pemBudget = 0;
      this.pemHeader = scanned.slice(last.start, scanned.indexOf('-----', last.start + 11) + 5);
    } else this.pemHeader = null;
    // (a long emit alone fills the context: no concatenation of the whole chunk just to cut it)
    this.ctx = emit.length >= CONTEXT_CHARS ? emit.slice(-CONTEXT_CHARS) : (this.ctx + emit).slice(-CONTEXT_CHARS);
    return this.render(text, cut, a, hits, offset);
  }

  /** Where the held tail starts in `plain` (plain.length = hold nothing). */
  private holdPoint(plain: string): number {
    const n = plain.length;
    if (n === 0) return 0;
    let k = n;
    // An unterminated private key block: hold it whole (bounded) so it is replaced as one block.
    // Only a BEGIN within the hold window matters; checking the tail first keeps a 32 KB chunk
    // without one from being scanned end to end on every write.
    const b = plain.indexOf('-----BEGIN', Math.max(0, n - PEM_HOLD_CHARS)) < 0 ? -1 : plain.lastIndexOf('-----BEGIN');
    if (b >= 0 && n - b <= PEM_HOLD_CHARS) {
      const hdrEnd = plain.indexOf('-----', b + 10);
      const label = hdrEnd < 0 ? '' : plain.slice(b + 11, hdrEnd);
      if ((hdrEnd < 0 && n - b < 80) || (label.includes('PRIVATE KEY') && plain.indexOf('-----END', hdrEnd) < 0)) k = b;
    }
    // A trailing token (email, URI, key, JWT...).
    let t = n;
    while (t > 0 && n - t < this.holdBack && isTokenChar(plain.charCodeAt(t - 1))) t--;
    // Digit groups joined by separators before it (card, phone, spaced IBAN).
    let x = t;
    while (x > 0 && n - x < 48) {
      let y = x;
      let seps = 0;
      while (y > 0 && seps < 2 && isGroupSep(plain.charCodeAt(y - 1))) {
        y--;
        seps++;
      }
      if (seps === 0) break; // groups are joined by separators; a token is already held whole
      let g = y;
      let digit = false;
      while (g > 0 && y - g < 7 && isAlnum(plain.charCodeAt(g - 1))) {
        g--;
        if (isDigitCode(plain.charCodeAt(g))) digit = true;
      }
      if (g === y || !digit || (g > 0 && isAlnum(plain.charCodeAt(g - 1)))) break;
      x = g;
      if (g > 0 && plain.charCodeAt(g - 1) === 43) x = g - 1; // '+' of +1 415...
    }
    k = Math.min(k, x, t);
    if (n - k > this.holdBack && k !== b) k = n - this.holdBack;
    // A lone keystroke echo passes straight through, unless it extends a token that already
    // looks like a value (digits or '@' just emitted): then it waits the few ms like any tail.
    if (n === 1 && k === 0 && !isDigitCode(plain.charCodeAt(0)) && !valueishTail(this.ctx)) k = n;
    return k;
  }

  private render(text: string, cut: number, a: AnsiSplit, hits: readonly RawHit[], offset: number): string {
    const map = a.map;
    const escapes = a.escapes;
    let escIdx = 0;
    let out = '';
    let pos = 0;
    const renderEscape = (e: EscapeSpan): string =>
      e.payloadStart < 0
        ? text.slice(e.start, e.end)
        : text.slice(e.start, e.payloadStart) + this.masker.maskText(text.slice(e.payloadStart, e.payloadEnd)).text + text.slice(e.payloadEnd, e.end);
    const copyTo = (to: number): void => {
      while (escIdx < escapes.length && escapes[escIdx]!.start < to) {
        const e = escapes[escIdx++]!;
        out += text.slice(pos, e.start) + renderEscape(e);
        pos = e.end;
      }
      out += text.slice(pos, to);
      pos = to;
    };
    for (const h of hits) {
      if (h.end <= offset) continue; // already emitted in an earlier chunk
      const ps = Math.max(0, h.start - offset);
      const pe = h.end - offset;
      const ts = map ? map[ps]! : ps;
      const te = map ? map[pe - 1]! + 1 : pe;
      copyTo(ts);
      if (h.start >= offset) out += h.replacement;
      // Straddles the context: only the continuation is ours to hide (a PEM body vanishes).
      else if (h.detector !== 'pem-private-key') out += maskContinuation(this.plainSlice(text, map, ps, pe));
      // Escapes inside the value are kept, after the replacement, in their original order.
      while (escIdx < escapes.length && escapes[escIdx]!.start < te) out += renderEscape(escapes[escIdx++]!);
      pos = te;
    }
    copyTo(cut);
    return out;
  }

  private plainSlice(text: string, map: Int32Array | null, ps: number, pe: number): string {
    if (!map) return text.slice(ps, pe);
    let s = '';
    for (let p = ps; p < pe; p++) s += text[map[p]!];
    return s;
  }
}

/** Does the last token of `s` contain a digit or '@'? (bounded look-back) */
function valueishTail(s: string): boolean {
  for (let i = s.length - 1; i >= 0 && s.length - i <= 64; i--) {
    const c = s.charCodeAt(i);
    if (!isTokenChar(c)) return false;
    if (c === 64 || isDigitCode(c)) return true;
  }
  return false;
}

function isTokenChar(c: number): boolean {
  // Printable ASCII except whitespace and the delimiters that end a value in text, JSON and SQL.
  if (c <= 32 || c >= 127) return false;
  return !(c === 34 || c === 39 || c === 96 || c === 44 || c === 59 || c === 60 || c === 62 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === 124 || c === 92);
}
const isGroupSep = (c: number): boolean => c === 32 || c === 45 || c === 46 || c === 40 || c === 41 || c === 47;
const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
const isAlnum = (c: number): boolean => isDigitCode(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** A Node Transform around a StreamMasker (Buffer or string in, UTF-8 string out). */
export function createMaskingTransform(masker: Masker, options: Omit<StreamMaskerOptions, 'onData' | 'onError'> = {}): Transform {
  const transform = new Transform({
    decodeStrings: false,
    transform(chunk: string | Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      try {
        const out = sm.write(chunk);
        cb(null, out || undefined);
      } catch (e) {
        cb(e instanceof MaskingError ? e : new MaskingError('stream masking failed'));
      }
    },
    flush(cb: TransformCallback): void {
      try {
        const out = sm.end();
        cb(null, out || undefined);
      } catch (e) {
        cb(e instanceof MaskingError ? e : new MaskingError('stream masking failed'));
      }
    },
  });
  const sm = createStreamMasker(masker, {
    ...options,
    onData: (s) => transform.push(s),
    onError: (e) => transform.destroy(e),
  });
  return transform;
}
