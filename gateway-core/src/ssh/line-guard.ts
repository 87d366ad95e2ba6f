// Which command line will the shell run when Enter reaches it, and may it? Two witnesses are
// combined: the keystrokes (exact while only plain editing keys were used) and the screen model
// (what the shell displays after history recall, completion, redraws). See README.md here for
// the rules and their edges.
import { decideCommand, needsMoreInput, splitPastedLines, type ShellDecision, type ShellPolicy } from '../policy/shell/index.js';
import type { ScreenReading } from './screen-model.js';

export interface LineVerdict {
  decision: ShellDecision;
  /** The line judged (first witness); for notices and logs, after masking. */
  line: string;
  /** Input was not echoed (a password prompt, `stty -echo`): never show the line. */
  secret: boolean;
  /** Bash keeps reading (open quote, here-document, trailing `|`): Enter only continues the command. */
  incomplete: boolean;
  /** How the line was found. */
  source: 'keys' | 'keys-typeahead' | 'keys-no-echo' | 'screen' | 'mismatch' | 'not-found' | 'alt-screen';
}

export interface EnterContext {
  typed: string;
  certain: boolean;
  /** Earlier lines of a command bash is still reading (PS2), already sent. */
  continuation: readonly string[];
  reading: ScreenReading;
}

const ACTION_RANK = { allow: 0, approve: 1, deny: 2 } as const;
const BASIS_RANK = { rule: 3, 'possible-rule': 2, opaque: 1, default: 0 } as const;

export function strictest(decisions: readonly ShellDecision[]): ShellDecision {
  return decisions.reduce((a, b) => {
    const d = ACTION_RANK[b.action] - ACTION_RANK[a.action];
    if (d !== 0) return d > 0 ? b : a;
    return BASIS_RANK[b.basis] > BASIS_RANK[a.basis] ? b : a;
  });
}

export function unparseable(policy: ShellPolicy, reason: string): ShellDecision {
  return { action: policy.onUnparseable, reason, basis: 'opaque' };
}

/**
 * Every unit bash will run for this text (after the lines it already holds), judged. A last unit
 * that is still open (quote, here-document) runs nothing yet; it is judged whole once complete.
 */
export function judgeText(text: string, continuation: readonly string[], policy: ShellPolicy): ShellDecision {
  const whole = [...continuation, text].join('\n');
  const units = splitPastedLines(whole);
  if (units.length > 0 && needsMoreInput(units[units.length - 1]!)) units.pop();
  if (units.length === 0) return { action: 'allow', reason: 'nothing runs yet', basis: 'default' };
  return strictest(units.map((u) => decideCommand(u, policy)));
}

const ws = (s: string): string => s.replace(/\s+/g, '');

/** Text after the last occurrence of the captured prompt (the prompt is redrawn after a completion list). */
function afterLastPrompt(full: string, prompt: string | undefined): string | undefined {
  const p = prompt?.trimEnd();
  if (!p) return undefined;
  const i = full.lastIndexOf(p);
  return i < 0 ? undefined : full.slice(i + p.length).replace(/^ /, '');
}

/** Everything after a typical prompt ending ("$ ", "# ", "% ", "> "): only a definite rule match counts. */
function heuristicReadings(full: string): string[] {
  return [...full.matchAll(/[$#%>] /g)].map((m) => full.slice(m.index + 2));
}

/** Decides the Enter pressed with this typed state and this screen. */
export function judgeEnter(ctx: EnterContext, policy: ShellPolicy): LineVerdict {
  const { typed, certain, continuation, reading } = ctx;
  const ruleOnly = (texts: readonly string[]): ShellDecision[] =>
    texts.map((t) => judgeText(t, continuation, policy)).filter((d) => d.basis === 'rule' && d.action !== 'allow');

  if (reading.altScreen) {
    // A full-screen program (vim, less, top) has the keyboard; there is no shell line to read. Only
    // a definite rule match on the keystrokes blocks (`tput smcup` must not hide a typed command).
    const found = certain ? ruleOnly([typed]) : [];
    const decision = found.length ? strictest(found) : { action: 'allow' as const, reason: 'full-screen program', basis: 'default' as const };
    return { decision, line: typed, secret: false, incomplete: false, source: 'alt-screen' };
  }

  const screen = [reading.region, afterLastPrompt(reading.full, reading.prompt)].filter((s): s is string => s !== undefined);
  const verdict = (decisions: ShellDecision[], line: string, source: LineVerdict['source'], secret = false): LineVerdict => {
    const decision = strictest(decisions);
    const incomplete = decision.action === 'allow' && source !== 'mismatch' && needsMoreInput([...continuation, line].join('\n'));
    return { decision, line, secret, incomplete, source };
  };

  if (certain) {
    const own = judgeText(typed, continuation, policy);
    if (reading.region !== undefined && ws(reading.region) === ws(typed)) return verdict([own], typed, 'keys');
    if (typed !== '' && reading.region !== undefined && reading.region.trim() === '') {
      // Nothing echoed: a password prompt or `stty -echo`. The keys are exactly what the program gets.
      return verdict([own], typed, 'keys-no-echo', true);
    }
    if (typed.trim() !== '' && ws(reading.full).endsWith(ws(typed))) {
      // Typed ahead of the prompt: the anchor is off, but the line on screen ends with the keys.
      return verdict([own, ...ruleOnly([...screen, ...heuristicReadings(reading.full)])], typed, 'keys-typeahead');
    }
    const mismatch = unparseable(policy, 'the command line on screen does not match the keystrokes');
    return verdict([mismatch, own, ...screen.map((s) => judgeText(s, continuation, policy)), ...ruleOnly(heuristicReadings(reading.full))], typed, 'mismatch');
  }

  const readable = screen.filter((s) => s.trim() !== '');
  if (readable.length === 0) {
    const d = unparseable(policy, 'the command line (recalled or completed) could not be read from the screen');
    return { decision: d, line: '', secret: false, incomplete: false, source: 'not-found' };
  }
  const line = readable[readable.length - 1]!;
  return verdict([...readable.map((s) => judgeText(s, continuation, policy)), ...ruleOnly(heuristicReadings(reading.full))], line, 'screen');
}
