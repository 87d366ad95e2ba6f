// parseCommandLine: lex + parse, then walk every simple command, peel wrappers and
// descend into nested scripts (bash -c, eval, $(..), <(..), here-strings fed to a
// shell) up to MAX_DEPTH. Whatever cannot be resolved statically is reported as an
// OpaqueConstruct instead of being guessed.
import { parseTokens, type RawCommand } from './parser.js';
import type { ArgInfo, OpaqueKind, ParsedCommandLine, SimpleCommand, Span, Substitution, Word } from './types.js';
import { SHELLS, WRAPPERS, basename, isDecoder, parseShellInvocation, unwrapWrapper } from './unwrap.js';

export const MAX_DEPTH = 6;

interface Level {
  src: string;
  base: number;
  /** Nested scripts whose offsets do not map onto the line report this span instead. */
  clamp?: Span;
  via: string[];
  depth: number;
  out: ParsedCommandLine;
}

export function parseCommandLine(line: string): ParsedCommandLine {
  const out: ParsedCommandLine = { commands: [], opaque: [] };
  analyze({ src: line, base: 0, via: [], depth: 0, out });
  return out;
}

function loc(level: Level, span: Span): Span {
  return level.clamp ? { start: level.clamp.start, end: level.clamp.end } : { start: span.start, end: span.end };
}

function rawOf(level: Level, span: Span): string {
  return level.src.slice(span.start - level.base, span.end - level.base);
}

function opaque(level: Level, kind: OpaqueKind, reason: string, span: Span): void {
  level.out.opaque.push({ kind, reason, raw: rawOf(level, span), ...loc(level, span) });
}

function analyze(level: Level): void {
  const parsed = parseTokens(level.src, level.base);
  if (parsed.error) {
    const at = parsed.error.position;
    const span = { start: at, end: level.base + level.src.length };
    opaque(level, 'unterminated', parsed.error.message, span);
    if (level.depth === 0) level.out.error = { message: parsed.error.message, position: at };
  }
  for (const u of parsed.unsupported) opaque(level, 'unsupported-syntax', u.reason, u);
  for (const f of parsed.functions) {
    opaque(level, 'function-definition', `defines function \`${f.name}\`: later calls to it cannot be judged`, f);
  }
  for (const rc of parsed.commands) command(level, rc);
}

/** Judges a nested script (bash -c, eval, $(..) ...). */
function nested(level: Level, script: string, via: string, from: Span, offset?: number): void {
  if (level.depth + 1 > MAX_DEPTH) {
    opaque(level, 'too-deep', `nesting deeper than ${MAX_DEPTH} levels`, from);
    return;
  }
  const exact = offset !== undefined && !level.clamp;
  const next: Level = { src: script, base: exact ? offset : 0, via: [...level.via, via], depth: level.depth + 1, out: level.out };
  if (!exact) next.clamp = level.clamp ?? { start: from.start, end: from.end };
  analyze(next);
}

function substitution(level: Level, sub: Substitution): void {
  const via = sub.kind === 'command' ? '$(...)' : sub.kind === 'backtick' ? '`...`' : sub.kind === 'process-in' ? '<(...)' : '>(...)';
  nested(level, sub.script, via, sub, sub.kind === 'backtick' ? undefined : sub.scriptOffset);
}

function command(level: Level, rc: RawCommand): void {
  const words = [...rc.assigns, ...rc.words, ...rc.redirects.flatMap((r) => (r.target ? [r.target] : []))];
  for (const w of words) for (const sub of w.substitutions) substitution(level, sub);
  if (rc.words.length === 0) {
    if (rc.redirects.length > 0) emit(level, rc, '', [], rc, level.via, true);
    return;
  }
  walk(level, rc, rc.words, 0, level.via, true);
}

function emit(level: Level, rc: RawCommand, program: string, args: readonly Word[], span: Span, via: string[], withRedirects: boolean, programDynamic = false): void {
  const argInfo: ArgInfo[] = args.map((w) => ({ text: w.text, pattern: w.pattern, dynamic: w.dynamic, globbed: w.globbed, ...loc(level, w) }));
  const cmd: SimpleCommand = {
    program,
    programDynamic,
    args: args.map((w) => w.text),
    raw: rawOf(level, { start: span.start, end: rc.end }),
    argInfo,
    redirects: withRedirects
      ? rc.redirects.map((r) => {
          const info = { op: r.op, dynamic: r.target?.dynamic ?? false, ...loc(level, r) };
          return { ...info, ...(r.fd !== undefined ? { fd: r.fd } : {}), ...(r.target ? { target: r.target.text } : {}) };
        })
      : [],
    via,
    inPipeline: rc.inPipeline,
    background: rc.background,
    ...loc(level, { start: span.start, end: rc.end }),
  };
  if (rc.inFunction !== undefined) cmd.inFunction = rc.inFunction;
  level.out.commands.push(cmd);
}

/** Emits words[at..] as a command, then follows wrappers and interpreters. */
function walk(level: Level, rc: RawCommand, words: readonly Word[], at: number, via: string[], first: boolean): void {
  const w = words[at];
  if (!w) return;
  if (w.dynamic) {
    emit(level, rc, w.text, words.slice(at + 1), w, via, first, true);
    opaque(level, 'dynamic-program', `program name \`${w.raw}\` is only known at run time`, { start: w.start, end: rc.end });
    return;
  }
  const name = basename(w.text);
  emit(level, rc, name, words.slice(at + 1), w, via, first);
  const here = [...via, name];

  const spec = WRAPPERS[name];
  if (spec) {
    const u = unwrapWrapper(spec, words, at);
    for (const s of u.scripts) script(level, s.text, s.from, `${name} script`, s.dynamic);
    if (u.next !== undefined) {
      const inner = u.appendStdin ? [...words, stdinWord(rc)] : words;
      walk(level, rc, inner, u.next, here, false);
    } else if (u.defaultCommand !== undefined && u.appendStdin) {
      const fake: Word = { ...stdinWord(rc), text: u.defaultCommand, pattern: u.defaultCommand, dynamic: false };
      walk(level, rc, [fake, stdinWord(rc)], 0, here, false);
    }
    return;
  }
  if (name === 'busybox' || name === 'builtin') return;
  if (SHELLS.has(name)) return shell(level, rc, words, at, here);
  if (name === 'eval') {
    const args = words.slice(at + 1);
    const last = args[args.length - 1];
    if (!args[0] || !last) return;
    const from: Word = { ...args[0], text: args.map((a) => a.text).join(' '), end: last.end, dynamic: args.some((a) => a.dynamic) };
    return script(level, from.text, from, 'eval', from.dynamic);
  }
  if (name === 'source' || name === '.') {
    const file = words[at + 1];
    if (file?.substitutions.some((s) => s.kind === 'process-in')) {
      opaque(level, 'process-substitution-into-shell', `\`${name}\` runs the output of a process substitution`, { start: w.start, end: rc.end });
    } else if (file && /^\/dev\/(stdin|fd\/0)$/.test(file.text) && rc.upstream.length > 0) {
      opaque(level, 'pipe-into-shell', `\`${name}\` runs commands piped into it`, { start: w.start, end: rc.end });
    }
    return;
  }
  if (name === 'alias') {
    for (const a of words.slice(at + 1)) {
      const eq = a.text.indexOf('=');
      if (eq <= 0) continue;
      opaque(level, 'alias-definition', `defines alias \`${a.text.slice(0, eq)}\`: later uses of it cannot be judged`, a);
      script(level, a.text.slice(eq + 1), a, 'alias', a.dynamic, true);
    }
    return;
  }
  if (name === 'find') findExec(level, rc, words, at, here);
}

function stdinWord(rc: RawCommand): Word {
  return { text: '<stdin>', pattern: '<stdin>', raw: '', quoted: false, dynamic: true, globbed: false, substitutions: [], start: rc.end, end: rc.end };
}

/** A script handed to a shell: judged recursively; unresolvable text is opaque. */
function script(level: Level, text: string, from: Word, via: string, dynamic: boolean, silent = false): void {
  if (dynamic && !silent) {
    opaque(level, 'dynamic-script', `${via} text \`${from.raw}\` is only known at run time`, from);
  }
  nested(level, text, via, from);
}

function shell(level: Level, rc: RawCommand, words: readonly Word[], at: number, via: string[]): void {
  const name = via[via.length - 1] ?? 'sh';
  const inv = parseShellInvocation(words, at);
  const whole = { start: words[at]?.start ?? rc.start, end: rc.end };
  if (inv.script) return script(level, inv.script.text, inv.script, `${name} -c`, inv.script.dynamic);
  if (inv.file) {
    if (inv.file.substitutions.some((s) => s.kind === 'process-in')) {
      opaque(level, 'process-substitution-into-shell', `${name} runs the output of a process substitution`, whole);
    }
    return;
  }
  for (const r of rc.redirects) {
    if (r.op === '<<<' && r.target) script(level, r.target.text, r.target, `${name} <<<`, r.target.dynamic);
    if (r.heredoc) {
      opaque(level, 'heredoc-to-shell', `${name} reads a here-document the guard judges only if its body is present`, whole);
      if (r.heredoc.body !== undefined) nested(level, r.heredoc.body, `${name} <<${r.heredoc.delimiter}`, r);
    }
    if (r.op === '<' && r.target?.substitutions.some((s) => s.kind === 'process-in')) {
      opaque(level, 'process-substitution-into-shell', `${name} reads a process substitution`, whole);
    }
  }
  if (!inv.readsStdin || rc.upstream.length === 0) return;
  const decoded = rc.upstream.some((u) => isDecoder(u.words));
  const echoed = staticEcho(rc.upstream);
  if (echoed !== undefined) {
    const first = rc.upstream[0];
    if (first) nested(level, echoed, `echo | ${name}`, first);
    return;
  }
  if (decoded) {
    opaque(level, 'encoded-pipe-into-shell', `decoded text is piped into ${name}`, { start: rc.upstream[0]?.start ?? rc.start, end: rc.end });
    const b64 = staticBase64(rc.upstream);
    const first = rc.upstream[0];
    if (b64 !== undefined && first) nested(level, b64, `base64 -d | ${name}`, first);
    return;
  }
  opaque(level, 'pipe-into-shell', `the output of \`${rc.upstream.map((u) => u.raw).join(' | ')}\` is run by ${name}`, { start: rc.upstream[0]?.start ?? rc.start, end: rc.end });
}

/** `echo static words | sh`: the script is known exactly. */
function staticEcho(upstream: readonly RawCommand[]): string | undefined {
  const only = upstream.length === 1 ? upstream[0] : undefined;
  if (!only || basename(only.words[0]?.text ?? '') !== 'echo') return undefined;
  const args = only.words.slice(1);
  if (args.some((a) => a.dynamic || a.globbed || /^-[neE]+$/.test(a.text))) return undefined;
  return args.map((a) => a.text).join(' ');
}

/** `echo BASE64 | base64 -d | sh`: decode to judge the real script (still opaque). */
function staticBase64(upstream: readonly RawCommand[]): string | undefined {
  const [src, dec] = upstream;
  if (upstream.length !== 2 || !src || !dec || basename(dec.words[0]?.text ?? '') !== 'base64') return undefined;
  const text = staticEcho([src]);
  if (text === undefined || !/^[A-Za-z0-9+/=\s]+$/.test(text)) return undefined;
  return Buffer.from(text, 'base64').toString('utf8');
}

/** find ... -exec CMD {} ; / -execdir / -ok: CMD is a command with a run-time argument. */
function findExec(level: Level, rc: RawCommand, words: readonly Word[], at: number, via: string[]): void {
  for (let j = at + 1; j < words.length; j++) {
    if (!/^-(exec|execdir|ok|okdir)$/.test(words[j]?.text ?? '')) continue;
    const inner: Word[] = [];
    let k = j + 1;
    for (; k < words.length; k++) {
      const x = words[k];
      if (!x || x.text === ';' || x.text === '+') break;
      inner.push(x.text.includes('{}') ? { ...x, dynamic: true } : x);
    }
    if (inner.length > 0) walk(level, rc, inner, 0, [...via, '-exec'], false);
    j = k;
  }
}
