// The server-side screen: a headless xterm fed with the raw (unmasked) shell output, so the guard
// can read the command line the way the user sees it, after history recall, completion and line
// editing. It never leaves gateway-core.
//
// xterm parses about 10 MB/s, far slower than a bulk `cat`, so output is queued and parsed lazily:
// when the guard needs the screen (a keystroke starts a line, Enter), or after a short quiet
// spell. A burst larger than `maxPendingBytes` keeps only its tail: the input line is always at
// the end of the output, and the anchor of a line being typed across such a burst is dropped
// (the guard then relies on the keystrokes, or fails closed).
import xtermHeadless from '@xterm/headless';
import type { IBuffer, IMarker, Terminal as TerminalType } from '@xterm/headless';

const { Terminal } = xtermHeadless;

export interface ScreenReading {
  /** From where input began (after the prompt) to the end of the input area; undefined if unknown. */
  region: string | undefined;
  /** The whole logical line(s) holding the input, prompt included. */
  full: string;
  /** The prompt as captured when input began. */
  prompt: string | undefined;
  /** The alternate screen (vim, less, top) is active: there is no shell line to read. */
  altScreen: boolean;
}

export interface ScreenModelOptions {
  maxPendingBytes?: number;
  keepBytes?: number;
  /** Parse queued output after this long without new output. */
  idleParseMs?: number;
}

// Alternate-screen switches in skipped output must still take effect.
const ALT_SWITCH = new RegExp(`${String.fromCharCode(27)}\\[\\?(?:1049|1047|47)[hl]`, 'g');

export class ScreenModel {
  private readonly term: TerminalType;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private anchor: { marker: IMarker; col: number; prompt: string } | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxPending: number;
  private readonly keep: number;
  private readonly idleMs: number;
  private disposed = false;
  /** Raised when output was skipped since the anchor was set. */
  private skippedSinceAnchor = false;

  constructor(cols: number, rows: number, options: ScreenModelOptions = {}) {
    this.term = new Terminal({ cols, rows, scrollback: 2000, allowProposedApi: true });
    this.maxPending = options.maxPendingBytes ?? 256 * 1024;
    this.keep = options.keepBytes ?? 64 * 1024;
    this.idleMs = options.idleParseMs ?? 25;
  }

  /** Queues raw output (or text the broker itself shows the user). */
  write(data: Buffer | string): void {
    if (this.disposed) return;
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes > this.maxPending) this.truncate();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.sync(), this.idleMs);
    this.idleTimer.unref?.();
  }

  /** Parses everything queued; resolves once the screen reflects all output so far. */
  sync(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return new Promise((resolve) => {
      if (this.disposed) return resolve();
      for (const c of chunks) this.term.write(c);
      this.term.write('', resolve);
    });
  }

  resize(cols: number, rows: number): void {
    if (!this.disposed) this.term.resize(cols, rows);
  }

  /** Remembers where the user's input begins: the cursor, after all output so far. */
  async markInputStart(): Promise<void> {
    await this.sync();
    this.clearAnchor();
    if (this.disposed) return;
    const buf = this.term.buffer.active;
    const marker = this.term.registerMarker(0);
    if (!marker) return;
    const y = buf.baseY + buf.cursorY;
    const col = buf.cursorX;
    this.anchor = { marker, col, prompt: textRange(buf, logicalStart(buf, y), 0, y, col) };
    this.skippedSinceAnchor = false;
  }

  clearAnchor(): void {
    this.anchor?.marker.dispose();
    this.anchor = undefined;
  }

  get hasAnchor(): boolean {
    return this.anchor !== undefined;
  }

  /** The input area as it is on screen now. */
  async read(): Promise<ScreenReading> {
    await this.sync();
    const buf = this.term.buffer.active;
    const altScreen = buf.type === 'alternate';
    const cursorY = buf.baseY + buf.cursorY;
    let end = cursorY;
    for (let y = buf.length - 1; y > cursorY; y--) {
      if ((buf.getLine(y)?.translateToString(true) ?? '') !== '') {
        end = y;
        break;
      }
    }
    const a = this.anchor;
    const anchorY = a && !a.marker.isDisposed && !this.skippedSinceAnchor && !altScreen ? a.marker.line : -1;
    const region = anchorY >= 0 && anchorY <= cursorY ? textRange(buf, anchorY, a!.col, end) : undefined;
    const start = logicalStart(buf, anchorY >= 0 && anchorY <= cursorY ? anchorY : cursorY);
    return { region, full: textRange(buf, start, 0, end), prompt: a?.prompt, altScreen };
  }

  /** The logical line holding the cursor, up to the cursor (after a line kill: the bare prompt). */
  async promptBeforeCursor(): Promise<string> {
    await this.sync();
    const buf = this.term.buffer.active;
    const y = buf.baseY + buf.cursorY;
    return textRange(buf, logicalStart(buf, y), 0, y, buf.cursorX);
  }

  dispose(): void {
    this.disposed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.clearAnchor();
    this.pending = [];
    this.term.dispose();
  }

  private truncate(): void {
    const all = Buffer.concat(this.pending);
    let cut = all.length - this.keep;
    // Start the kept tail at a line boundary, so it does not begin inside an escape sequence.
    const nl = all.indexOf(0x0a, cut);
    if (nl >= 0 && nl < all.length - 1) cut = nl + 1;
    const dropped = all.subarray(0, cut).toString('latin1');
    let lastSwitch = '';
    for (const m of dropped.matchAll(ALT_SWITCH)) lastSwitch = m[0];
    this.pending = [Buffer.from(lastSwitch, 'latin1'), all.subarray(cut)];
    this.pendingBytes = all.length - cut + lastSwitch.length;
    this.skippedSinceAnchor = true;
  }
}

function logicalStart(buf: IBuffer, y: number): number {
  let s = y;
  while (s > 0 && buf.getLine(s)?.isWrapped) s--;
  return s;
}

/** Text from (y0, x0) to row y1 (to column x1, or the row's end); wrapped rows are joined. */
function textRange(buf: IBuffer, y0: number, x0: number, y1: number, x1?: number): string {
  let out = '';
  for (let y = y0; y <= y1; y++) {
    const line = buf.getLine(y);
    if (!line) break;
    const last = y === y1;
    const wrapsOn = !last && buf.getLine(y + 1)?.isWrapped === true;
    out += line.translateToString(!wrapsOn && !(last && x1 !== undefined), y === y0 ? x0 : 0, last ? x1 : undefined);
    if (!last && !wrapsOn) out += '\n';
  }
  return out;
}
