// What the user typed, as a model of the shell's line editor. Only the editing keys whose effect
// on bash's readline is fixed and local are emulated; any other key (history, completion, yank,
// transpose, Alt-combinations) makes the model "uncertain", and the guard then has to read the
// line off the screen instead of trusting the keystrokes.

export type Key =
  | { kind: 'text'; raw: string }
  | { kind: 'enter'; raw: string }
  | { kind: 'control'; raw: string }
  | { kind: 'escape'; raw: string }
  | { kind: 'paste-start'; raw: string }
  | { kind: 'paste-end'; raw: string };

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/** Splits terminal input (xterm.js onData) into keys: printable runs, Enter, controls, escapes. */
export function tokenizeInput(data: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < data.length) {
    const c = data.charCodeAt(i);
    if (c === 0x1b) {
      const end = escapeEnd(data, i);
      const raw = data.slice(i, end);
      keys.push({ kind: raw === PASTE_START ? 'paste-start' : raw === PASTE_END ? 'paste-end' : 'escape', raw });
      i = end;
    } else if (c === 0x0d || c === 0x0a) {
      // \r\n from some clients is one Enter.
      const end = c === 0x0d && data.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
      keys.push({ kind: 'enter', raw: data.slice(i, end) });
      i = end;
    } else if (c < 0x20 || c === 0x7f) {
      keys.push({ kind: 'control', raw: data[i]! });
      i++;
    } else {
      let j = i + 1;
      while (j < data.length) {
        const d = data.charCodeAt(j);
        if (d < 0x20 || d === 0x7f) break;
        j++;
      }
      keys.push({ kind: 'text', raw: data.slice(i, j) });
      i = j;
    }
  }
  return keys;
}

/** End index of the escape sequence starting at `i` (CSI, SS3, or ESC + one char). */
function escapeEnd(s: string, i: number): number {
  const next = s[i + 1];
  if (next === undefined) return i + 1;
  if (next === '[') {
    let j = i + 2;
    while (j < s.length) {
      const d = s.charCodeAt(j);
      j++;
      if (d >= 0x40 && d <= 0x7e) break;
    }
    return j;
  }
  if (next === 'O') return Math.min(s.length, i + 3);
  // Alt+key: ESC followed by one (possibly astral) character.
  const cp = s.codePointAt(i + 1)!;
  return i + 1 + (cp > 0xffff ? 2 : 1);
}

const HOME = new Set(['\x01', '\x1b[H', '\x1bOH', '\x1b[1~', '\x1b[7~']);
const END = new Set(['\x05', '\x1b[F', '\x1bOF', '\x1b[4~', '\x1b[8~']);
const LEFT = new Set(['\x02', '\x1b[D', '\x1bOD']);
const RIGHT = new Set(['\x06', '\x1b[C', '\x1bOC']);

/**
 * The line as the keystrokes say it is. `certain` stays true while every key was one this model
 * reproduces exactly; text inside a bracketed paste is literal, newlines included.
 */
export class LineEditor {
  private chars: string[] = [];
  private cursor = 0;
  private uncertainKeys = 0;
  private pasting = false;

  get text(): string {
    return this.chars.join('');
  }

  get certain(): boolean {
    return this.uncertainKeys === 0;
  }

  get empty(): boolean {
    return this.chars.length === 0 && this.certain;
  }

  get inPaste(): boolean {
    return this.pasting;
  }

  reset(): void {
    this.chars = [];
    this.cursor = 0;
    this.uncertainKeys = 0;
    this.pasting = false;
  }

  /** Applies one key (Enter outside a paste is the caller's business). */
  apply(key: Key): void {
    if (key.kind === 'paste-start') this.pasting = true;
    else if (key.kind === 'paste-end') this.pasting = false;
    else if (key.kind === 'text') this.insert(key.raw);
    else if (key.kind === 'enter') {
      if (this.pasting) this.insert('\n');
      else this.uncertainKeys++;
    } else if (this.pasting && key.kind === 'control' && key.raw === '\t') this.insert('\t');
    else this.edit(key.raw);
  }

  private insert(s: string): void {
    const add = Array.from(s);
    this.chars.splice(this.cursor, 0, ...add);
    this.cursor += add.length;
  }

  private edit(raw: string): void {
    const n = this.chars.length;
    if (raw === '\x7f' || raw === '\x08') {
      if (this.cursor > 0) this.chars.splice(--this.cursor, 1);
    } else if (raw === '\x1b[3~' || (raw === '\x04' && n > 0)) {
      this.chars.splice(this.cursor, 1);
    } else if (raw === '\x15') {
      this.chars.splice(0, this.cursor);
      this.cursor = 0;
    } else if (raw === '\x0b') {
      this.chars.splice(this.cursor);
    } else if (raw === '\x17') {
      // unix-word-rubout: whitespace, then the non-whitespace before it.
      let j = this.cursor;
      while (j > 0 && /\s/.test(this.chars[j - 1]!)) j--;
      while (j > 0 && !/\s/.test(this.chars[j - 1]!)) j--;
      this.chars.splice(j, this.cursor - j);
      this.cursor = j;
    } else if (HOME.has(raw)) this.cursor = 0;
    else if (END.has(raw)) this.cursor = n;
    else if (LEFT.has(raw)) this.cursor = Math.max(0, this.cursor - 1);
    else if (RIGHT.has(raw)) this.cursor = Math.min(n, this.cursor + 1);
    else if (raw === '\x0c') {
      // Ctrl-L redraws the same line on a cleared screen: the line itself is unchanged.
    } else this.uncertainKeys++;
  }
}

/** Keys that make bash drop the line being edited (the guard starts a fresh line after them). */
export function isLineAbort(key: Key): boolean {
  return key.kind === 'control' && key.raw === '\x03';
}
