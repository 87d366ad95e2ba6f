// Rule matching with three outcomes: 'yes', 'no', and 'maybe' when an argument is
// only known at run time and could make the rule match.
import type { ShellCommandRule } from './rules.js';
import type { ArgInfo, SimpleCommand } from './types.js';

export type Tri = 'no' | 'maybe' | 'yes';
const RANK: Record<Tri, number> = { no: 0, maybe: 1, yes: 2 };
const and = (a: Tri, b: Tri): Tri => (RANK[a] <= RANK[b] ? a : b);
const or = (a: Tri, b: Tri): Tri => (RANK[a] >= RANK[b] ? a : b);
const any = <T>(xs: readonly T[], f: (x: T) => Tri): Tri => xs.reduce<Tri>((acc, x) => (acc === 'yes' ? acc : or(acc, f(x))), 'no');

// Short option letters with a common long name, so rules can say 'recursive'.
const RECURSIVE_FAMILY = { R: 'recursive', c: 'changes', f: 'silent', v: 'verbose', h: 'no-dereference' };
const SHORT_NAMES: Record<string, Record<string, string>> = {
  rm: { r: 'recursive', R: 'recursive', f: 'force', i: 'interactive', I: 'interactive-once', d: 'dir', v: 'verbose' },
  chmod: RECURSIVE_FAMILY,
  chown: RECURSIVE_FAMILY,
  chgrp: RECURSIVE_FAMILY,
  cp: { r: 'recursive', R: 'recursive', f: 'force', a: 'archive' },
};
// Options that consume the next argument, so it is not mistaken for an operand.
const VALUE_SHORT: Record<string, string> = { systemctl: 'tpPHMnos', kill: 'sn', crontab: 'u', chown: '', dd: '' };
const VALUE_LONG: Record<string, string[]> = {
  systemctl: ['type', 'property', 'host', 'machine', 'lines', 'output', 'signal', 'root'],
  chown: ['from', 'reference'],
  chmod: ['reference'],
};

export interface ArgView {
  flags: Set<string>;
  operands: ArgInfo[];
  /** A run-time value sits where options are parsed: it could be any flag. */
  dynamicOptions: boolean;
}

export function classifyArgs(cmd: SimpleCommand): ArgView {
  const names = SHORT_NAMES[cmd.program] ?? {};
  const valueShort = VALUE_SHORT[cmd.program] ?? '';
  const valueLong = VALUE_LONG[cmd.program] ?? [];
  const view: ArgView = { flags: new Set(), operands: [], dynamicOptions: false };
  let endOfOptions = false;
  for (let i = 0; i < cmd.argInfo.length; i++) {
    const a = cmd.argInfo[i];
    if (!a) continue;
    const t = a.text;
    if (endOfOptions) { view.operands.push(a); continue; }
    if (a.dynamic) { view.dynamicOptions = true; view.operands.push(a); continue; }
    if (t === '--') { endOfOptions = true; continue; }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = t.slice(2, eq < 0 ? undefined : eq);
      view.flags.add(name);
      if (eq < 0 && valueLong.includes(name)) i++;
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      for (let k = 1; k < t.length; k++) {
        const ch = t[k] ?? '';
        view.flags.add(names[ch] ?? ch);
        if (valueShort.includes(ch)) {
          if (k === t.length - 1) i++;
          break;
        }
      }
      continue;
    }
    view.operands.push(a);
  }
  return view;
}

const globCache = new Map<string, RegExp>();

/** Shell-style glob: `*`/`?` do not cross `/`, `[..]` classes, `\x` escapes. */
export function globToRegExp(glob: string): RegExp {
  const cached = globCache.get(glob);
  if (cached) return cached;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i] ?? '');
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = close;
    } else re += escapeRe(c);
  }
  const compiled = new RegExp(`^${re}$`, 's');
  globCache.set(glob, compiled);
  return compiled;
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export const globMatch = (glob: string, text: string): boolean => globToRegExp(glob).test(text);

/** Lexical path normalisation: `//`, `/./`, `a/..`, trailing `/`; relative paths use cwd when known. */
export function normalisePath(p: string, cwd?: string): string {
  if (p === '') return p;
  let s = p;
  if (!s.startsWith('/') && !s.startsWith('~') && cwd !== undefined) s = `${cwd}/${s}`;
  const absolute = s.startsWith('/');
  const slash = s.indexOf('/');
  const prefix = s.startsWith('~') ? (slash < 0 ? s : s.slice(0, slash)) : '';
  const rest = prefix ? (slash < 0 ? '' : s.slice(slash)) : s;
  const out: string[] = [];
  for (const seg of rest.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg === '..' && (absolute || prefix)) continue;
    else out.push(seg);
  }
  if (prefix) return out.length ? `${prefix}/${out.join('/')}` : prefix;
  if (absolute) return `/${out.join('/')}`;
  return out.join('/') || '.';
}

/** Expands unescaped `{a,b}` groups (bash brace expansion), bounded. */
export function expandBraces(pattern: string, limit = 64): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') { i++; continue; }
    if (c === '{') { if (depth++ === 0) { open = i; commas.length = 0; } }
    else if (c === ',' && depth === 1) commas.push(i);
    else if (c === '}' && depth > 0 && --depth === 0 && commas.length > 0) {
      const cuts = [open, ...commas, i];
      const head = pattern.slice(0, open);
      const tail = pattern.slice(i + 1);
      const out: string[] = [];
      for (let k = 0; k + 1 < cuts.length && out.length < limit; k++) {
        const alt = pattern.slice((cuts[k] ?? 0) + 1, cuts[k + 1]);
        out.push(...expandBraces(head + alt + tail, limit));
      }
      return out.slice(0, limit);
    }
  }
  return [pattern];
}

/** Does a path argument hit one of the rule's path globs? */
function pathHits(a: ArgInfo, globs: readonly string[], cwd: string | undefined): Tri {
  if (a.dynamic) return 'maybe';
  // The pattern form keeps quoted glob characters escaped, so only real globs expand.
  const alternatives = expandBraces(a.pattern).map((p) => normalisePath(p, cwd));
  return any(alternatives, (alt) => {
    const text = alt.replace(/\\(.)/g, '$1');
    // A glob in the command expands only to entries under its own (absolute) prefix.
    const expands = a.globbed && (alt.startsWith('/') || alt.startsWith('~'));
    return any(globs, (g) => (globMatch(g, text) || (expands && globMatch(alt, g.replace(/\\/g, ''))) ? 'yes' : 'no'));
  });
}

function argHits(a: ArgInfo, globs: readonly string[]): Tri {
  if (a.dynamic) return 'maybe';
  const eq = a.text.indexOf('=');
  const forms = [a.text];
  if (eq > 0 && a.text[eq + 1] === '/') forms.push(`${a.text.slice(0, eq + 1)}${normalisePath(a.text.slice(eq + 1))}`);
  return any(globs, (g) => (forms.some((f) => globMatch(g, f)) ? 'yes' : 'no'));
}

const WRITE_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);

export function matchCommandRule(rule: ShellCommandRule, cmd: SimpleCommand, cwd: string | undefined): Tri {
  const programs = typeof rule.program === 'string' ? [rule.program] : rule.program;
  if (cmd.programDynamic && !programs.includes('*')) return 'no'; // reported as opaque instead
  if (!programs.some((p) => (p === '' ? cmd.program === '' : globMatch(p, cmd.program)))) return 'no';
  let result: Tri = 'yes';
  const { args } = rule;
  if (args) {
    const view = classifyArgs(cmd);
    const all = cmd.argInfo;
    if (args.flags) {
      for (const f of args.flags) result = and(result, view.flags.has(f) ? 'yes' : view.dynamicOptions ? 'maybe' : 'no');
    }
    if (args.anyOf) result = and(result, any(all, (a) => argHits(a, args.anyOf ?? [])));
    if (args.allOf) for (const g of args.allOf) result = and(result, any(all, (a) => argHits(a, [g])));
    if (args.subcommand) {
      const first = view.operands[0];
      result = and(result, first ? argHits(first, args.subcommand) : 'no');
    }
    if (args.targets) result = and(result, any(view.operands, (a) => pathHits(a, args.targets ?? [], cwd)));
  }
  if (rule.redirects) {
    const globs = rule.redirects;
    result = and(
      result,
      any(cmd.redirects, (r) => {
        if (!WRITE_REDIRECTS.has(r.op) || r.target === undefined) return 'no';
        if (r.op === '>&' && /^(\d+|-)$/.test(r.target)) return 'no';
        return r.dynamic ? 'maybe' : any(globs, (g) => (globMatch(g, normalisePath(r.target ?? '', cwd)) ? 'yes' : 'no'));
      }),
    );
  }
  return result;
}
