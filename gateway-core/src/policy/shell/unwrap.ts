// Command wrappers: programs whose arguments are themselves a command (sudo, env,
// nice, xargs, timeout ...) or a script (bash -c, eval, su -c, watch, ssh host ...).
// The guard peels them so that `sudo -u root env X=1 /bin/rm -rf /` is judged as
// `rm -rf /`. Each spec lists the options that consume a value, because getting
// that wrong would make the option value look like the program.
import type { Word } from './types.js';

export interface WrapperSpec {
  /** Short options that take a value (`-u root`, `-uroot`). */
  short?: string;
  /** Long options that take a value when written without `=`. */
  long?: string[];
  /** Short/long options whose value is a shell script (`su -c '...'`). */
  scriptShort?: string;
  scriptLong?: string[];
  /** Positional operands before the command (`timeout 5 cmd`, `chroot /srv cmd`, `ssh host cmd`). */
  operands?: number;
  /** `env`-style NAME=value words before the command. */
  assignments?: boolean;
  /** The remaining words are joined with spaces and run by a shell (`watch`, `ssh host`). */
  joinAsScript?: boolean;
  /** Operands are not a command (`su user`); only the script option runs something. */
  noCommand?: boolean;
  /** Options that mean "do not run anything" (`command -v rm`). */
  inert?: string;
  /** Arguments read from stdin are appended (xargs). */
  appendsStdin?: boolean;
  /** Command run when none is given (xargs → echo). */
  defaultCommand?: string;
}

const SUDO: WrapperSpec = {
  short: 'CDghprtTUu',
  long: ['user', 'group', 'prompt', 'close-from', 'chdir', 'role', 'type', 'other-user', 'command-timeout', 'host', 'chroot'],
};

export const WRAPPERS: Readonly<Record<string, WrapperSpec>> = {
  sudo: SUDO,
  doas: { short: 'uC' },
  env: { short: 'uC', long: ['unset', 'chdir'], scriptShort: 'S', scriptLong: ['split-string'], assignments: true },
  nice: { short: 'n', long: ['adjustment'] },
  nohup: {},
  time: { short: 'fo', long: ['format', 'output'] },
  command: { inert: 'vV' },
  builtin: {},
  exec: { short: 'a' },
  xargs: {
    short: 'adEILnPs',
    long: ['arg-file', 'delimiter', 'eof', 'replace', 'max-lines', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'],
    appendsStdin: true,
    defaultCommand: 'echo',
  },
  timeout: { short: 'sk', long: ['signal', 'kill-after'], operands: 1 },
  watch: { short: 'n', long: ['interval'], joinAsScript: true },
  busybox: {},
  stdbuf: { short: 'ioe', long: ['input', 'output', 'error'] },
  ionice: { short: 'cnpPu', long: ['class', 'classdata', 'pid', 'pgid', 'uid'] },
  setsid: {},
  chroot: { long: ['userspec', 'groups'], operands: 1 },
  flock: { short: 'wE', long: ['timeout', 'conflict-exit-code'], scriptShort: 'c', scriptLong: ['command'], operands: 1 },
  su: { short: 'gGsw', long: ['group', 'supp-group', 'shell', 'whitelist-environment'], scriptShort: 'c', scriptLong: ['command', 'session-command'], noCommand: true },
  runuser: { short: 'ugGsw', long: ['user', 'group', 'supp-group', 'shell', 'whitelist-environment'], scriptShort: 'c', scriptLong: ['command'] },
  ssh: { short: 'bcDEeFIiJLlmOopQRSWw', operands: 1, joinAsScript: true },
};

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'rbash', 'yash', 'posh']);

export interface Unwrapped {
  /** Index of the wrapped command's first word, if there is one. */
  next?: number;
  /** Words appended after the wrapped command (xargs's stdin arguments). */
  appendStdin?: boolean;
  /** Scripts the wrapper hands to a shell: the word(s) they came from and their text. */
  scripts: { text: string; from: Word; dynamic: boolean }[];
  defaultCommand?: string;
}

/** Skips a wrapper's options and operands; returns where the wrapped command starts. */
export function unwrapWrapper(spec: WrapperSpec, words: readonly Word[], at: number): Unwrapped {
  const result: Unwrapped = { scripts: [] };
  let j = at + 1;
  const script = (text: string, from: Word): void => {
    result.scripts.push({ text, from, dynamic: from.dynamic });
  };
  while (j < words.length) {
    const w = words[j];
    if (!w) break;
    const a = w.text;
    if (a === '--') { j++; break; }
    if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) { j++; continue; }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const valueWord = eq < 0 ? words[j + 1] : undefined;
      if (spec.scriptLong?.includes(name)) {
        if (eq >= 0) script(a.slice(eq + 1), w);
        else if (valueWord) script(valueWord.text, valueWord);
      }
      j += eq < 0 && (spec.long?.includes(name) || spec.scriptLong?.includes(name)) ? 2 : 1;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      if (spec.inert && [...a.slice(1)].some((ch) => spec.inert?.includes(ch))) return result;
      let consumed = 1;
      for (let k = 1; k < a.length; k++) {
        const ch = a[k] ?? '';
        const isScript = spec.scriptShort?.includes(ch) ?? false;
        if (!isScript && !spec.short?.includes(ch)) continue;
        const rest = a.slice(k + 1);
        const valueWord = words[j + 1];
        if (rest === '' && valueWord) consumed = 2;
        if (isScript) {
          if (rest !== '') script(rest, w);
          else if (valueWord) script(valueWord.text, valueWord);
        }
        break;
      }
      j += consumed;
      continue;
    }
    // su-style: operands are user names and options may follow them (`su - root -c cmd`).
    if (spec.noCommand) { j++; continue; }
    break;
  }
  j += spec.operands ?? 0;
  if (spec.noCommand) return result;
  if (spec.joinAsScript) {
    const rest = words.slice(j);
    const first = rest[0];
    if (first) {
      const last = rest[rest.length - 1] ?? first;
      const joined: Word = { ...first, text: rest.map((x) => x.text).join(' '), end: last.end, dynamic: rest.some((x) => x.dynamic) };
      script(joined.text, joined);
    }
    return result;
  }
  if (j < words.length) result.next = j;
  if (spec.appendsStdin) result.appendStdin = true;
  if (spec.defaultCommand !== undefined && j >= words.length) result.defaultCommand = spec.defaultCommand;
  return result;
}

export interface ShellInvocation {
  /** `-c` script word. */
  script?: Word;
  /** Script file operand (run from disk: not visible to the guard). */
  file?: Word;
  /** The shell reads commands from stdin. */
  readsStdin: boolean;
}

/** Interprets `bash [options] [-c script | file | -s]`. */
export function parseShellInvocation(words: readonly Word[], at: number): ShellInvocation {
  let j = at + 1;
  let c = false;
  let s = false;
  while (j < words.length) {
    const a = words[j]?.text ?? '';
    if (a === '--' || a === '-') { j++; break; }
    if (a.startsWith('--')) { j += ['--rcfile', '--init-file'].includes(a) ? 2 : 1; continue; }
    if ((a.startsWith('-') || a.startsWith('+')) && a.length > 1) {
      const letters = a.slice(1);
      if (letters.includes('c')) c = true;
      if (letters.includes('s')) s = true;
      j += /[oO]/.test(letters) ? 2 : 1;
      continue;
    }
    break;
  }
  const operand = words[j];
  if (c) return operand ? { script: operand, readsStdin: false } : { readsStdin: false };
  if (operand && !s) return { file: operand, readsStdin: false };
  return { readsStdin: true };
}

/** Programs that turn encoded/obfuscated text back into a script. */
export function isDecoder(words: readonly Word[]): boolean {
  const prog = basename(words[0]?.text ?? '');
  const args = words.slice(1).map((w) => w.text);
  if (prog === 'base64' || prog === 'base32' || prog === 'basenc') return args.some((a) => /^-[a-zA-Z]*[dD]|^--decode$/.test(a));
  if (prog === 'openssl') return args.some((a) => a === '-d' || a === 'base64' || a === '-base64');
  if (prog === 'xxd') return args.some((a) => /^-[a-z]*r/.test(a));
  return ['uudecode', 'gunzip', 'zcat', 'bunzip2', 'xz', 'unxz', 'rev', 'tr', 'perl', 'python', 'python3'].includes(prog);
}

export const basename = (p: string): string => {
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const i = trimmed.lastIndexOf('/');
  return i >= 0 && trimmed.length > 1 ? trimmed.slice(i + 1) : trimmed;
};
