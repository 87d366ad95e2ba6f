// Pasted text reaches the shell as several lines; bash runs each complete command
// as soon as it has read it, but keeps reading while a quote, a here-document, a
// compound command or a trailing `|`/`&&`/`\` is still open. The broker judges
// exactly those units, one by one.
import { parseTokens } from './parser.js';

/** True when bash would prompt for more input (PS2) instead of running `text`. */
export function needsMoreInput(text: string): boolean {
  return parseTokens(text).incomplete;
}

/** Splits pasted text into the command lines bash will run, in order. Blank lines are dropped. */
export function splitPastedLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let pending: string | undefined;
  for (const line of lines) {
    pending = pending === undefined ? line : `${pending}\n${line}`;
    if (needsMoreInput(pending)) continue;
    if (pending.trim() !== '') out.push(pending);
    pending = undefined;
  }
  // Still open at the end: hand it over as is; the guard reports it as unterminated.
  if (pending !== undefined && pending.trim() !== '') out.push(pending);
  return out;
}
