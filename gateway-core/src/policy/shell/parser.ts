// Turns tokens into a flat list of simple commands with the context the policy
// needs (pipeline position, background, enclosing function). The guard judges
// every simple command wherever it sits, so compound commands (if/while/for/case,
// subshells, brace groups, function bodies) are walked rather than modelled.
import { lex, type Token } from './lexer.js';
import type { Redirect, Span, Word } from './types.js';

export interface RawCommand extends Span {
  assigns: Word[];
  words: Word[];
  redirects: Redirect[];
  inPipeline: boolean;
  background: boolean;
  /** Commands of earlier pipeline stages, in order: their output is this command's stdin. */
  upstream: RawCommand[];
  inFunction?: string;
  raw: string;
}

export interface FunctionDef extends Span {
  name: string;
  raw: string;
}

export interface ParseResult {
  commands: RawCommand[];
  functions: FunctionDef[];
  unsupported: (Span & { reason: string })[];
  error?: { message: string; position: number };
  /** Bash would wait for more input before running anything. */
  incomplete: boolean;
}

interface Ctx {
  upstream: RawCommand[];
  inFunction?: string;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const PREFIX_KEYWORDS = new Set(['if', 'then', 'elif', 'else', 'while', 'until', 'do', '!']);
const CLOSE_KEYWORDS = new Set(['fi', 'done', 'esac', '}']);
const CASE_END = new Set([';;', ';&', ';;&']);

class Parser {
  private pos = 0;
  private depth = 0; // open if/do/case/{/( constructs, for "bash wants more input"
  readonly out: RawCommand[] = [];
  readonly functions: FunctionDef[] = [];
  readonly unsupported: (Span & { reason: string })[] = [];
  incomplete = false;

  constructor(private readonly tokens: Token[], private readonly src: string, private readonly base: number) {}

  parseAll(): void {
    this.parseList(() => false, { upstream: [] });
    if (this.depth > 0) this.incomplete = true;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private isOp(t: Token | undefined, ...ops: string[]): boolean {
    return t?.kind === 'op' && ops.includes(t.op);
  }

  /** An unquoted word with this exact text (reserved words only count unquoted). */
  private keyword(t: Token | undefined): string | undefined {
    return t?.kind === 'word' && !t.word.quoted && !t.word.dynamic ? t.word.text : undefined;
  }

  private spanOf(t: Token): Span {
    return t.kind === 'word' ? t.word : t.kind === 'redir' ? t.redirect : t;
  }

  private raw(start: number, end: number): string {
    return this.src.slice(start - this.base, end - this.base);
  }

  private skipNewlines(): void {
    while (this.isOp(this.peek(), '\n')) this.pos++;
  }

  private parseList(stop: (t: Token) => boolean, ctx: Ctx): void {
    while (this.pos < this.tokens.length) {
      const t = this.peek();
      if (!t) return;
      if (this.isOp(t, '\n', ';', '&')) { this.pos++; continue; }
      if (stop(t)) return;
      if (t.kind === 'op' && (t.op === ')' || CASE_END.has(t.op))) {
        this.unsupported.push({ ...this.spanOf(t), reason: `unexpected \`${t.op}\`` });
        this.pos++;
        continue;
      }
      const first = this.out.length;
      const before = this.pos;
      this.parseAndOr(ctx);
      if (this.pos === before) { this.pos++; continue; } // never loop without progress
      const sep = this.peek();
      if (this.isOp(sep, '&')) for (const c of this.out.slice(first)) c.background = true;
      if (this.isOp(sep, '&', ';', '\n')) this.pos++;
    }
  }

  private parseAndOr(ctx: Ctx): void {
    this.parsePipeline(ctx);
    while (this.isOp(this.peek(), '&&', '||')) {
      this.pos++;
      this.skipNewlines();
      if (this.pos >= this.tokens.length) { this.incomplete = true; return; }
      this.parsePipeline(ctx);
    }
  }

  private parsePipeline(ctx: Ctx): void {
    const first = this.out.length;
    const upstream: RawCommand[] = [];
    let stages = 0;
    for (;;) {
      const before = this.out.length;
      this.parseCommand({ ...ctx, upstream: stages === 0 ? ctx.upstream : [...upstream] });
      upstream.push(...this.out.slice(before));
      stages++;
      if (!this.isOp(this.peek(), '|', '|&')) break;
      this.pos++;
      this.skipNewlines();
      if (this.pos >= this.tokens.length) { this.incomplete = true; break; }
    }
    if (stages > 1) for (const c of this.out.slice(first)) c.inPipeline = true;
  }

  private parseCommand(ctx: Ctx): void {
    const t = this.peek();
    if (!t) return;
    if (this.isOp(t, '(')) {
      this.pos++;
      this.depth++;
      this.parseList((x) => this.isOp(x, ')'), ctx);
      if (this.isOp(this.peek(), ')')) { this.pos++; this.depth--; }
      this.trailingRedirects(ctx);
      return;
    }
    const kw = this.keyword(t);
    if (kw === '{') {
      this.pos++;
      this.depth++;
      this.parseList((x) => this.keyword(x) === '}', ctx);
      if (this.keyword(this.peek()) === '}') { this.pos++; this.depth--; }
      this.trailingRedirects(ctx);
      return;
    }
    if (kw !== undefined && (PREFIX_KEYWORDS.has(kw) || kw === 'time')) {
      this.pos++;
      if (kw === 'if' || kw === 'do') this.depth++;
      if (kw === 'time' && this.keyword(this.peek()) === '-p') this.pos++;
      this.skipNewlines();
      this.parseCommand(ctx);
      return;
    }
    if (kw !== undefined && CLOSE_KEYWORDS.has(kw)) {
      this.pos++;
      this.depth--;
      this.trailingRedirects(ctx);
      return;
    }
    if (kw === 'for' || kw === 'select') return this.parseFor(t);
    if (kw === 'case') return this.parseCase(ctx);
    if (kw === 'function' && this.peek(1)?.kind === 'word') {
      this.pos++;
      const nameTok = this.peek();
      this.pos++;
      if (this.isOp(this.peek(), '(') && this.isOp(this.peek(1), ')')) this.pos += 2;
      return this.parseFunctionBody(nameTok, t, ctx);
    }
    if (t.kind === 'word' && this.isOp(this.peek(1), '(') && this.isOp(this.peek(2), ')')) {
      this.pos += 3;
      return this.parseFunctionBody(t, t, ctx);
    }
    if (kw === '[[') return this.parseTest(t, ctx);
    this.parseSimple(ctx);
  }

  private parseFor(t: Token): void {
    this.pos++;
    if (this.isOp(this.peek(), '(')) {
      this.unsupported.push({ ...this.spanOf(t), reason: 'arithmetic for loop' });
      while (this.peek() && this.keyword(this.peek()) !== 'do') this.pos++;
      return;
    }
    this.pos++; // loop variable
    // The `in` list is data, not commands; its substitutions are still judged via a pseudo command.
    const words: Word[] = [];
    while (this.peek()?.kind === 'word' && this.keyword(this.peek()) !== 'do') {
      const w = this.peek();
      if (w?.kind === 'word') words.push(w.word);
      this.pos++;
    }
    // Kept as assignment-like data so their substitutions are judged, not run as a program.
    const withSubs = words.filter((w) => w.substitutions.length > 0);
    if (withSubs.length > 0) this.pushCommand(withSubs, [], [], { upstream: [] });
  }

  private parseCase(ctx: Ctx): void {
    const caseTok = this.peek();
    this.pos++;
    this.depth++;
    while (this.peek() && this.keyword(this.peek()) !== 'in') this.pos++;
    this.pos++;
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (!t) return;
      if (this.keyword(t) === 'esac') { this.pos++; this.depth--; this.trailingRedirects(ctx); return; }
      if (this.isOp(t, '(')) this.pos++;
      while (this.peek() && !this.isOp(this.peek(), ')')) this.pos++;
      this.pos++;
      this.parseList((x) => (x.kind === 'op' && CASE_END.has(x.op)) || this.keyword(x) === 'esac', ctx);
      const end = this.peek();
      if (end?.kind === 'op' && CASE_END.has(end.op)) this.pos++;
      if (!end && caseTok) this.incomplete = true;
    }
  }

  private parseFunctionBody(nameTok: Token | undefined, startTok: Token, ctx: Ctx): void {
    const name = nameTok?.kind === 'word' ? nameTok.word.text : '?';
    this.skipNewlines();
    const start = this.spanOf(startTok).start;
    this.parseCommand({ upstream: ctx.upstream, inFunction: name });
    const last = this.tokens[this.pos - 1];
    const end = last ? this.spanOf(last).end : start;
    this.functions.push({ name, start, end, raw: this.raw(start, end) });
  }

  private parseTest(t: Token, ctx: Ctx): void {
    // [[ ... ]] operands are strings, not commands; keep them as one pseudo command
    // so substitutions inside are still judged.
    const words: Word[] = [];
    while (this.pos < this.tokens.length) {
      const x = this.peek();
      this.pos++;
      if (x?.kind === 'word') words.push(x.word);
      if (this.keyword(x) === ']]') break;
    }
    this.pushCommand([], words, [], ctx, this.spanOf(t).start);
  }

  private trailingRedirects(ctx: Ctx): void {
    const redirects: Redirect[] = [];
    while (this.peek()?.kind === 'redir') {
      const r = this.peek();
      if (r?.kind === 'redir') redirects.push(r.redirect);
      this.pos++;
    }
    // A redirect on a compound command is judged like a bare `> target`.
    if (redirects.length > 0) this.pushCommand([], [], redirects, ctx);
  }

  private parseSimple(ctx: Ctx): void {
    const assigns: Word[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'redir') { redirects.push(t.redirect); this.pos++; continue; }
      if (t?.kind !== 'word') break;
      this.pos++;
      if (words.length === 0 && ASSIGNMENT.test(t.word.raw)) {
        assigns.push(t.word);
        if (t.word.raw.endsWith('=') && this.isOp(this.peek(), '(')) {
          // NAME=(a b c): array elements are data.
          while (this.peek() && !this.isOp(this.peek(), ')')) {
            const e = this.peek();
            if (e?.kind === 'word') assigns.push(e.word);
            this.pos++;
          }
          this.pos++;
        }
        continue;
      }
      words.push(t.word);
    }
    if (assigns.length + words.length + redirects.length > 0) this.pushCommand(assigns, words, redirects, ctx);
  }

  private pushCommand(assigns: Word[], words: Word[], redirects: Redirect[], ctx: Ctx, startAt?: number): void {
    const all: Span[] = [...assigns, ...words, ...redirects];
    const start = startAt ?? Math.min(...all.map((s) => s.start));
    const end = Math.max(...all.map((s) => s.end));
    const cmd: RawCommand = { assigns, words, redirects, inPipeline: false, background: false, upstream: ctx.upstream, start, end, raw: this.raw(start, end) };
    if (ctx.inFunction !== undefined) cmd.inFunction = ctx.inFunction;
    this.out.push(cmd);
  }
}

export function parseTokens(src: string, base = 0): ParseResult {
  const lexed = lex(src, base);
  const parser = new Parser(lexed.tokens, src, base);
  parser.parseAll();
  const result: ParseResult = {
    commands: parser.out,
    functions: parser.functions,
    unsupported: parser.unsupported,
    incomplete: lexed.incomplete || parser.incomplete || lexed.error !== undefined,
  };
  if (lexed.error) result.error = lexed.error;
  return result;
}
