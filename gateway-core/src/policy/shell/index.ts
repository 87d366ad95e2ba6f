// Shell command guard: parses a bash command line the way bash would, judges every
// simple command against the role's rules, and fails closed on what it cannot see.
// See LIMITS.md for what is out of its reach.
export { parseCommandLine, MAX_DEPTH } from './analyze.js';
export { decideCommand, effectiveRules, type DecideOptions, type ShellDecision } from './decide.js';
export { splitPastedLines, needsMoreInput } from './paste.js';
export { normalisePath, classifyArgs, globMatch } from './match.js';
export {
  ShellPolicySchema,
  ShellRuleSchema,
  ShellCommandRuleSchema,
  ShellDetectorRuleSchema,
  ShellActionSchema,
  DEFAULT_SHELL_RULES,
  PROTECTED_PATHS,
  BLOCK_DEVICES,
  type ShellPolicy,
  type ShellPolicyInput,
  type ShellRule,
  type ShellCommandRule,
  type ShellDetectorRule,
} from './rules.js';
export type {
  ArgInfo,
  OpaqueConstruct,
  OpaqueKind,
  ParsedCommandLine,
  RedirectInfo,
  ShellAction,
  SimpleCommand,
  Span,
} from './types.js';
