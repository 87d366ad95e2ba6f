/**
 * Bulk plain output, shortened for a keyframe model that serialises at most `keepLines - 2` lines
 * above the cursor (screen rows + scrollback).
 *
 * Text without escape sequences or control characters other than tab, CR and LF only writes
 * characters and moves down: after it, the screen, the scrollback a keyframe carries and the
 * cursor depend only on its last lines. So a burst (a large `cat`) can be parsed as CR LF plus
 * its last `keepLines` lines: the CR LF starts them at column 0 as the line break before them
 * did, and what they push into scrollback is older than anything serialised (two lines of margin
 * absorb a first line that starts mid-row). The attributes, modes and tab stops the skipped text
 * could not change stay as they were. A scroll region (DECSTBM) breaks the argument (lines
 * overwrite one another below it), so the caller stops shortening once it has seen one.
 *
 * Why: xterm parses about 20 MB/s here, and a recorded terminal is paced to its keyframe model;
 * parsing all of a 100 MB `cat` made recording cost 3× the session's time.
 */

/** Any control but tab, LF and CR, ESC and C1 included: such text may change more than characters. */
// eslint-disable-next-line no-control-regex
const NOT_PLAIN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
/** Skipping less than this is not worth the scan. */
const MIN_SKIPPED_CHARS = 64 * 1024;

/** CR LF and the last `keepLines` lines of `text`, when that parses to the same keyframes; else undefined. */
export function plainTail(text: string, keepLines: number): string | undefined {
  if (text.length < MIN_SKIPPED_CHARS) return undefined;
  let lf = text.length;
  for (let k = 0; k < keepLines; k++) {
    lf = text.lastIndexOf('\n', lf - 1);
    if (lf < MIN_SKIPPED_CHARS) return undefined;
  }
  // Only the skipped part must be plain: the kept lines are parsed as they are.
  if (NOT_PLAIN.test(text.slice(0, lf))) return undefined;
  return `\r\n${text.slice(lf + 1)}`;
}

/** A DECSTBM (set scroll region) sequence. */
// eslint-disable-next-line no-control-regex
export const SCROLL_REGION = /\x1b\[[0-9;]*r/;
