// decideCommand: parse the line, evaluate every simple command against the rules,
// add what could not be resolved, and return the strictest outcome.
import { parseCommandLine } from './analyze.js';
import { matchCommandRule, normalisePath } from './match.js';
import { DEFAULT_SHELL_RULES, type ShellCommandRule, type ShellDetectorRule, type ShellPolicy, type ShellRule } from './rules.js';
import type { OpaqueKind, ShellAction, SimpleCommand, Span } from './types.js';

export interface ShellDecision {
  action: ShellAction;
  /** Id of the rule that decided (absent for defaults and unparseable input). */
  rule?: string;
  reason: string;
  /** The simple command (or construct) that triggered the decision. */
  command?: string;
  location?: Span;
  /**
   * rule: a rule matched; possible-rule: a rule could match once run-time values are known;
   * opaque: the guard could not resolve the line; default: nothing matched.
   */
  basis: 'rule' | 'possible-rule' | 'opaque' | 'default';
  opaque?: OpaqueKind;
}

export interface DecideOptions {
  /** Working directory of the session, if the broker knows it (resolves relative targets). */
  cwd?: string;
}

const STRICTNESS: Record<ShellAction, number> = { allow: 0, approve: 1, deny: 2 };
const BASIS_RANK: Record<ShellDecision['basis'], number> = { rule: 3, 'possible-rule': 2, opaque: 1, default: 0 };

export const stricter = (a: ShellAction, b: ShellAction): ShellAction => (STRICTNESS[a] >= STRICTNESS[b] ? a : b);
const looser = (a: ShellAction, b: ShellAction): ShellAction => (STRICTNESS[a] <= STRICTNESS[b] ? a : b);

export function effectiveRules(policy: ShellPolicy): readonly ShellRule[] {
  return policy.includeDefaultRules ? [...DEFAULT_SHELL_RULES, ...policy.rules] : policy.rules;
}

const isDetector = (r: ShellRule): r is ShellDetectorRule => 'detector' in r;

/** `:(){ :|:& };:` and renamed variants: a function body that runs itself in a pipeline or background. */
function isForkBombCall(cmd: SimpleCommand): boolean {
  return cmd.inFunction !== undefined && cmd.program === cmd.inFunction && (cmd.inPipeline || cmd.background);
}

function better(a: ShellDecision, b: ShellDecision): ShellDecision {
  const s = STRICTNESS[b.action] - STRICTNESS[a.action];
  if (s !== 0) return s > 0 ? b : a;
  return BASIS_RANK[b.basis] > BASIS_RANK[a.basis] ? b : a;
}

export function decideCommand(line: string, policy: ShellPolicy, options: DecideOptions = {}): ShellDecision {
  const parsed = parseCommandLine(line);
  const rules = effectiveRules(policy);
  const commandRules = rules.filter((r): r is ShellCommandRule => !isDetector(r));
  const detectors = rules.filter(isDetector);
  const found: ShellDecision[] = [];
  let cwd = options.cwd;

  for (const cmd of parsed.commands) {
    const where = { command: cmd.raw, location: { start: cmd.start, end: cmd.end } };
    let matched: ShellDecision | undefined;
    for (const rule of commandRules) {
      const m = matchCommandRule(rule, cmd, cwd);
      if (m === 'yes') {
        const d: ShellDecision = { action: rule.action, rule: rule.id, reason: rule.reason, basis: 'rule', ...where };
        matched = matched ? better(matched, d) : d;
      } else if (m === 'maybe' && rule.action !== 'allow') {
        // Never stricter than the rule itself; onUnparseable can only relax it.
        const action = looser(rule.action, policy.onUnparseable);
        found.push({ action, rule: rule.id, reason: `${rule.reason} (an argument is only known at run time, so the rule may apply)`, basis: 'possible-rule', ...where });
      }
    }
    found.push(matched ?? { action: policy.defaultAction, reason: 'no rule matched', basis: 'default', ...where });
    for (const det of detectors) {
      if (det.detector === 'fork-bomb' && isForkBombCall(cmd)) {
        found.push({ action: det.action, rule: det.id, reason: det.reason, basis: 'rule', ...where });
      }
    }
    cwd = trackCwd(cmd, cwd);
  }
  for (const o of parsed.opaque) {
    found.push({ action: policy.onUnparseable, reason: `cannot be judged statically: ${o.reason}`, basis: 'opaque', opaque: o.kind, command: o.raw, location: { start: o.start, end: o.end } });
  }
  if (found.length === 0) return { action: policy.defaultAction, reason: 'empty command line', basis: 'default' };
  return found.reduce(better);
}

/** `cd /; rm -rf *`: later relative targets resolve against a statically known directory. */
function trackCwd(cmd: SimpleCommand, cwd: string | undefined): string | undefined {
  if (cmd.program !== 'cd' && cmd.program !== 'pushd') return cwd;
  const target = cmd.argInfo.find((a) => !a.text.startsWith('-') || a.text === '-');
  if (!target) return '~';
  if (target.dynamic || target.text === '-') return undefined;
  if (target.text.startsWith('/') || target.text.startsWith('~')) return normalisePath(target.text);
  return cwd === undefined ? undefined : normalisePath(target.text, cwd);
}
