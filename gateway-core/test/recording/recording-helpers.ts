// Shared by the recording tests: a quiet logger, an independent asciicast v2 check, and a
// headless xterm that replays recorded events (or live output) into a comparable screen.
import { readFileSync } from 'node:fs';
import type { Logger } from '../../src/logging/logger.js';
import { createReplayTerminal, drained } from '../../src/recording/keyframes.js';

export const quietLogger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

/**
 * Checks a file against the asciicast v2 spec by hand (not with our own schemas): a header object
 * with version 2 and integer width/height, then events `[time, code, data]` with non-decreasing
 * float times, a known code and string data. Returns the parsed header and events.
 */
export function parseAsciicastStrict(path: string): { header: Record<string, unknown>; events: Array<[number, string, string]> } {
  const text = readFileSync(path, 'utf8');
  if (!text.endsWith('\n')) throw new Error('the last line is not terminated');
  const lines = text.slice(0, -1).split('\n');
  const header = JSON.parse(lines[0]!) as Record<string, unknown>;
  if (header.version !== 2) throw new Error('version is not 2');
  for (const k of ['width', 'height']) if (!Number.isInteger(header[k]) || (header[k] as number) <= 0) throw new Error(`bad ${k}`);
  if (header.timestamp !== undefined && !Number.isInteger(header.timestamp)) throw new Error('bad timestamp');
  if (header.env !== undefined && (typeof header.env !== 'object' || Object.values(header.env as object).some((v) => typeof v !== 'string'))) throw new Error('bad env');
  let last = 0;
  const events = lines.slice(1).map((line, i) => {
    const e = JSON.parse(line) as unknown;
    if (!Array.isArray(e) || e.length !== 3) throw new Error(`event ${i + 1} is not a 3-array`);
    const [t, code, data] = e as [unknown, unknown, unknown];
    if (typeof t !== 'number' || !Number.isFinite(t) || t < last) throw new Error(`event ${i + 1}: bad time ${String(t)}`);
    if (code !== 'o' && code !== 'i' && code !== 'r' && code !== 'm') throw new Error(`event ${i + 1}: unknown code ${String(code)}`);
    if (typeof data !== 'string') throw new Error(`event ${i + 1}: data is not a string`);
    if (code === 'r' && !/^\d+x\d+$/.test(data)) throw new Error(`event ${i + 1}: bad resize ${data}`);
    last = t;
    return [t, code, data] as [number, string, string];
  });
  return { header, events };
}

export interface Screen {
  cols: number;
  rows: number;
  lines: string[];
  cursor: [number, number];
  alt: boolean;
}

/** Replays `o` and `r` events into a headless xterm, optionally starting from a serialised screen. */
export async function replay(cols: number, rows: number, events: ReadonlyArray<readonly [number, string, string]>, start?: string): Promise<Screen> {
  const { term } = createReplayTerminal(cols, rows);
  try {
    if (start !== undefined) term.write(start);
    for (const [, code, data] of events) {
      if (code === 'o') term.write(data);
      else if (code === 'r') {
        const [c, r] = data.split('x').map(Number) as [number, number];
        await drained(term);
        term.resize(c, r);
      }
    }
    await drained(term);
    return screenOf(term);
  } finally {
    term.dispose();
  }
}

export function screenOf(term: ReturnType<typeof createReplayTerminal>['term']): Screen {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  return { cols: term.cols, rows: term.rows, lines, cursor: [buf.cursorX, buf.cursorY], alt: buf.type === 'alternate' };
}
