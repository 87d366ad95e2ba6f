// Bash tokenizer for the subset the guard judges. It follows bash's quoting rules
// (single/double quotes, backslashes, $'..' ANSI-C, $".." locale strings, line
// continuations) so that obfuscations such as r\m, 'r'm, "r"m or $'\x72m' all
// reduce to the word `rm`. Expansions are not performed: they are kept as source
// text and the word is marked dynamic, and every $(..), `..`, <(..), >(..) is
// recorded as a Substitution so the caller can judge the nested script too.
import type { Redirect, Substitution, Word } from './types.js';

export type Token =
  | { kind: 'word'; word: Word }
  | { kind: 'op'; op: string; start: number; end: number }
  | { kind: 'redir'; redirect: Redirect };

export interface LexResult {
  tokens: Token[];
  error?: { message: string; position: number };
  /** Bash would ask for more input (open quote, trailing backslash, heredoc body missing). */
  incomplete: boolean;
}

export class LexError extends Error {
  constructor(message: string, readonly position: number, readonly incomplete = true) {
    super(message);
  }
}

const OPERATORS = [';;&', ';;', ';&', ';', '&&', '&>>', '&>', '&', '||', '|&', '|', '(', ')'];
const REDIRECTS = ['<<<', '<<-', '<<', '<>', '<&', '<', '>>', '>&', '>|', '>'];
const WORD_END = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
const GLOB_CHARS = new Set(['*', '?', '[']);
const PATTERN_SPECIAL = /[*?[\]{},\\]/g;

const escapePattern = (s: string): string => s.replace(PATTERN_SPECIAL, (c) => `\\${c}`);

/** Index of the `)` closing a `(` whose body starts at `i`; skips quotes and nesting. */
export function matchParen(src: string, i: number): number {
  let depth = 1;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === "'") j = skipSingle(src, j + 1);
    else if (c === '"') j = skipDouble(src, j + 1);
    else if (c === '`') j = skipBacktick(src, j + 1);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  throw new LexError('unterminated parenthesis', i - 1);
}

function skipSingle(src: string, i: number): number {
  const j = src.indexOf("'", i);
  if (j < 0) throw new LexError('unterminated single quote', i - 1);
  return j;
}

function skipDouble(src: string, i: number): number {
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === '"') return j;
    else if (c === '`') j = skipBacktick(src, j + 1);
    else if (c === '$' && src[j + 1] === '(') j = matchParen(src, j + 2);
    else if (c === '$' && src[j + 1] === '{') j = matchBrace(src, j + 2);
  }
  throw new LexError('unterminated double quote', i - 1);
}

function skipBacktick(src: string, i: number): number {
  for (let j = i; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === '`') return j;
  }
  throw new LexError('unterminated backquote', i - 1);
}

function matchBrace(src: string, i: number): number {
  let depth = 1;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === "'") j = skipSingle(src, j + 1);
    else if (c === '"') j = skipDouble(src, j + 1);
    else if (c === '`') j = skipBacktick(src, j + 1);
    else if (c === '$' && src[j + 1] === '(') j = matchParen(src, j + 2);
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return j;
  }
  throw new LexError('unterminated ${', i - 2);
}

/** Command substitutions nested in ${..} or $((..)) bodies. */
function innerSubstitutions(src: string, from: number, to: number): Substitution[] {
  const subs: Substitution[] = [];
  for (let j = from; j < to; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === "'") j = skipSingle(src, j + 1);
    else if (c === '$' && src[j + 1] === '(' && src[j + 2] !== '(') {
      const close = matchParen(src, j + 2);
      subs.push({ kind: 'command', script: src.slice(j + 2, close), scriptOffset: j + 2, start: j, end: close + 1 });
      j = close;
    } else if (c === '`') {
      const close = skipBacktick(src, j + 1);
      subs.push({ kind: 'backtick', script: unescapeBacktick(src.slice(j + 1, close)), start: j, end: close + 1 });
      j = close;
    }
  }
  return subs;
}

const unescapeBacktick = (s: string): string => s.replace(/\\([\\`$])/g, '$1');

function decodeAnsiC(body: string): string {
  const simple: Record<string, string> = {
    n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v',
    '\\': '\\', "'": "'", '"': '"', '?': '?',
  };
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)/gs, (_m, e: string) => {
    const head = e[0] ?? '';
    if (head === 'x' || head === 'u' || head === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/[0-7]/.test(head)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    if (head === 'c' && e.length === 2) return String.fromCharCode(e.charCodeAt(1) & 0x1f);
    return simple[e] ?? `\\${e}`;
  });
}

class Lexer {
  private i = 0;
  readonly tokens: Token[] = [];
  private readonly pendingHeredocs: Redirect[] = [];
  incomplete = false;

  constructor(private readonly src: string, private readonly base: number) {}

  run(): Token[] {
    const { src } = this;
    while (this.i < src.length) {
      const c = src[this.i] ?? '';
      if (c === ' ' || c === '\t' || c === '\r') { this.i++; continue; }
      if (c === '\\' && src[this.i + 1] === '\n') { this.i += 2; continue; }
      if (c === '#') { while (this.i < src.length && src[this.i] !== '\n') this.i++; continue; }
      if (c === '\n') {
        this.pushOp('\n', 1);
        this.readHeredocBodies();
        continue;
      }
      const fd = /^(\d+)(?=[<>])/.exec(src.slice(this.i, this.i + 12));
      const at = fd ? this.i + (fd[1]?.length ?? 0) : this.i;
      const procSub = (src[at] === '<' || src[at] === '>') && src[at + 1] === '(';
      const redir = procSub ? undefined : REDIRECTS.find((r) => src.startsWith(r, at));
      if (redir) { this.readRedirect(redir, at, fd ? Number(fd[1]) : undefined); continue; }
      const op = fd || procSub ? undefined : OPERATORS.find((o) => src.startsWith(o, this.i));
      if (op) {
        // `&>` / `&>>` are redirections of both streams, not background + redirect.
        if (op === '&>' || op === '&>>') { this.readRedirect(op, this.i, undefined); continue; }
        this.pushOp(op, op.length);
        continue;
      }
      this.tokens.push({ kind: 'word', word: this.readWord() });
    }
    if (this.pendingHeredocs.length > 0) this.incomplete = true;
    return this.tokens;
  }

  private pushOp(op: string, len: number): void {
    this.tokens.push({ kind: 'op', op, start: this.base + this.i, end: this.base + this.i + len });
    this.i += len;
  }

  private readRedirect(op: string, at: number, fd: number | undefined): void {
    const start = this.i;
    this.i = at + op.length;
    while (this.src[this.i] === ' ' || this.src[this.i] === '\t') this.i++;
    const redirect: Redirect = { op, start: this.base + start, end: this.base + this.i };
    if (fd !== undefined) redirect.fd = fd;
    const next = this.src[this.i];
    if (next !== undefined && (!WORD_END.has(next) || this.src[this.i + 1] === '(')) {
      const target = this.readWord();
      redirect.end = target.end;
      if (op === '<<' || op === '<<-') {
        redirect.heredoc = { delimiter: target.text, quoted: target.quoted };
        this.pendingHeredocs.push(redirect);
      } else {
        redirect.target = target;
      }
    }
    this.tokens.push({ kind: 'redir', redirect });
  }

  private readHeredocBodies(): void {
    while (this.pendingHeredocs.length > 0) {
      const r = this.pendingHeredocs[0];
      if (!r?.heredoc || this.i >= this.src.length) return;
      this.pendingHeredocs.shift();
      const lines: string[] = [];
      let terminated = false;
      while (this.i < this.src.length) {
        const nl = this.src.indexOf('\n', this.i);
        const lineEnd = nl < 0 ? this.src.length : nl;
        let line = this.src.slice(this.i, lineEnd);
        this.i = nl < 0 ? this.src.length : nl + 1;
        if (r.op === '<<-') line = line.replace(/^\t+/, '');
        if (line === r.heredoc.delimiter) { terminated = true; break; }
        lines.push(line);
      }
      r.heredoc.body = lines.join('\n');
      if (!terminated) this.incomplete = true;
    }
  }

  private readWord(): Word {
    const { src } = this;
    const start = this.i;
    let text = '';
    let pattern = '';
    let quoted = false;
    let dynamic = false;
    let globbed = false;
    const substitutions: Substitution[] = [];
    const lit = (s: string, q: boolean): void => {
      text += s;
      pattern += q ? escapePattern(s) : s;
    };
    // Records an expansion kept verbatim; its value is only known at run time.
    const expansion = (from: number, to: number, subs: Substitution[]): void => {
      lit(src.slice(from, to), true);
      dynamic = true;
      substitutions.push(...subs);
    };
    const dollar = (): boolean => {
      const j = this.i;
      const n1 = src[j + 1];
      if (n1 === '(') {
        const close = matchParen(src, j + 2);
        const arith = src[j + 2] === '(' && src[close - 1] === ')';
        const subs = arith
          ? innerSubstitutions(src, j + 3, close - 1)
          : [{ kind: 'command' as const, script: src.slice(j + 2, close), scriptOffset: this.base + j + 2, start: this.base + j, end: this.base + close + 1 }];
        expansion(j, close + 1, arith ? subs.map((s) => this.shift(s)) : subs);
        this.i = close + 1;
        return true;
      }
      if (n1 === '{') {
        const close = matchBrace(src, j + 2);
        expansion(j, close + 1, innerSubstitutions(src, j + 2, close).map((s) => this.shift(s)));
        this.i = close + 1;
        return true;
      }
      const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9?#@*!$-])/.exec(src.slice(j + 1, j + 80));
      if (!name) return false;
      expansion(j, j + 1 + name[0].length, []);
      this.i = j + 1 + name[0].length;
      return true;
    };
    const backtick = (): void => {
      const close = skipBacktick(src, this.i + 1);
      expansion(this.i, close + 1, [{ kind: 'backtick', script: unescapeBacktick(src.slice(this.i + 1, close)), start: this.base + this.i, end: this.base + close + 1 }]);
      this.i = close + 1;
    };

    while (this.i < src.length) {
      const c = src[this.i] ?? '';
      if ((c === '<' || c === '>') && src[this.i + 1] === '(') {
        const close = matchParen(src, this.i + 2);
        const kind = c === '<' ? 'process-in' : 'process-out';
        expansion(this.i, close + 1, [{ kind, script: src.slice(this.i + 2, close), scriptOffset: this.base + this.i + 2, start: this.base + this.i, end: this.base + close + 1 }]);
        this.i = close + 1;
        continue;
      }
      if (WORD_END.has(c)) break;
      if (c === '\\') {
        const n = src[this.i + 1];
        if (n === undefined) throw new LexError('backslash at end of input (line continues)', this.i);
        this.i += 2;
        if (n !== '\n') { lit(n, true); quoted = true; }
        continue;
      }
      if (c === "'") {
        const close = skipSingle(src, this.i + 1);
        lit(src.slice(this.i + 1, close), true);
        quoted = true;
        this.i = close + 1;
        continue;
      }
      if (c === '$' && src[this.i + 1] === "'") {
        const close = /^(?:[^'\\]|\\[\s\S])*'/.exec(src.slice(this.i + 2));
        if (!close) throw new LexError("unterminated $'", this.i);
        lit(decodeAnsiC(close[0].slice(0, -1)), true);
        quoted = true;
        this.i += 2 + close[0].length;
        continue;
      }
      if (c === '"' || (c === '$' && src[this.i + 1] === '"')) {
        this.i += c === '$' ? 2 : 1;
        quoted = true;
        this.readDouble(lit, dollar, backtick);
        continue;
      }
      if (c === '$' && dollar()) continue;
      if (c === '`') { backtick(); continue; }
      if (GLOB_CHARS.has(c)) globbed = true;
      lit(c, false);
      this.i++;
    }
    return { text, pattern, raw: src.slice(start, this.i), start: this.base + start, end: this.base + this.i, quoted, dynamic, globbed, substitutions };
  }

  private readDouble(lit: (s: string, q: boolean) => void, dollar: () => boolean, backtick: () => void): void {
    const { src } = this;
    const open = this.i - 1;
    while (this.i < src.length) {
      const c = src[this.i] ?? '';
      if (c === '"') { this.i++; return; }
      if (c === '\\') {
        const n = src[this.i + 1] ?? '';
        if (n === '\n') { this.i += 2; continue; }
        if ('$`"\\'.includes(n) && n !== '') { lit(n, true); this.i += 2; continue; }
        lit('\\', true);
        this.i++;
        continue;
      }
      if (c === '$' && dollar()) continue;
      if (c === '`') { backtick(); continue; }
      lit(c, true);
      this.i++;
    }
    throw new LexError('unterminated double quote', open);
  }

  /** Substitutions found by innerSubstitutions carry offsets relative to src. */
  private shift(s: Substitution): Substitution {
    return {
      ...s,
      start: s.start + this.base,
      end: s.end + this.base,
      ...(s.scriptOffset !== undefined ? { scriptOffset: s.scriptOffset + this.base } : {}),
    };
  }
}

export function lex(src: string, base = 0): LexResult {
  const lexer = new Lexer(src, base);
  try {
    const tokens = lexer.run();
    return { tokens, incomplete: lexer.incomplete };
  } catch (e) {
    if (!(e instanceof LexError)) throw e;
    // Keep the tokens read so far: the policy still judges the complete prefix.
    return { tokens: lexer.tokens, incomplete: e.incomplete, error: { message: e.message, position: base + e.position } };
  }
}
