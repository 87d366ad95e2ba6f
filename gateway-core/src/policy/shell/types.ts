// Shared shapes of the shell command guard. Positions are UTF-16 offsets into the
// line that was handed to parseCommandLine/decideCommand (end exclusive).

export type ShellAction = 'allow' | 'approve' | 'deny';

export interface Span {
  start: number;
  end: number;
}

/** A nested script (command/process substitution) found inside a word. */
export interface Substitution extends Span {
  kind: 'command' | 'backtick' | 'process-in' | 'process-out';
  /** Script text as bash will run it (backtick escapes already removed). */
  script: string;
  /** Offset of `script` in the line when it maps 1:1 (not for backticks). */
  scriptOffset?: number;
}

/** One shell word after quote removal. */
export interface Word extends Span {
  /** Value after quote removal; unresolved expansions keep their source text (`$HOME`). */
  text: string;
  /** `text` with quoted glob/brace characters backslash-escaped, for glob semantics. */
  pattern: string;
  raw: string;
  /** Any quoting or escaping was present (so it cannot be a reserved word). */
  quoted: boolean;
  /** Contains an expansion whose value is only known at run time ($VAR, ${..}, $(..), `..`, $((..))). */
  dynamic: boolean;
  /** Contains an unquoted glob character (* ? [) that the shell will expand. */
  globbed: boolean;
  substitutions: Substitution[];
}

export interface Redirect extends Span {
  /** `>`, `>>`, `<`, `<<`, `<<-`, `<<<`, `>&`, `<&`, `&>`, `&>>`, `>|`, `<>` */
  op: string;
  fd?: number;
  target?: Word;
  heredoc?: { delimiter: string; quoted: boolean; body?: string };
}

export type OpaqueKind =
  | 'unterminated'
  | 'dynamic-program'
  | 'dynamic-script'
  | 'pipe-into-shell'
  | 'encoded-pipe-into-shell'
  | 'heredoc-to-shell'
  | 'process-substitution-into-shell'
  | 'function-definition'
  | 'alias-definition'
  | 'unsupported-syntax'
  | 'too-deep';

/** Something the guard cannot resolve statically; the policy applies `onUnparseable`. */
export interface OpaqueConstruct extends Span {
  kind: OpaqueKind;
  reason: string;
  /** Raw text of the construct (or of the simple command it sits in). */
  raw: string;
}

/** One argument of a simple command, with what the guard knows about it. */
export interface ArgInfo extends Span {
  text: string;
  pattern: string;
  dynamic: boolean;
  globbed: boolean;
}

export interface RedirectInfo extends Span {
  op: string;
  fd?: number;
  target?: string;
  dynamic: boolean;
}

export interface SimpleCommand extends Span {
  /** Program basename after unwrapping quotes and leading paths (`/bin/r\m` → `rm`); '' for a bare redirection. */
  program: string;
  /** The program word contains an expansion ($VAR, $(..)): `program` is its source text. */
  programDynamic: boolean;
  args: string[];
  /** Source text of the command (for nested scripts: the nested script text). */
  raw: string;
  argInfo: ArgInfo[];
  redirects: RedirectInfo[];
  /** Wrappers and interpreters peeled off to reach this command, outermost first (`sudo`, `bash -c`). */
  via: string[];
  /** Part of a multi-stage pipeline. */
  inPipeline: boolean;
  /** Run in the background with `&`. */
  background: boolean;
  /** Name of the function whose body contains this command. */
  inFunction?: string;
}

export interface ParsedCommandLine {
  commands: SimpleCommand[];
  opaque: OpaqueConstruct[];
  error?: { message: string; position: number };
}
