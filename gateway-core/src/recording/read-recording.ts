/**
 * Reads a recording back for a player (or a test): verifies it, then parses and validates the
 * verified lines against the format's schemas. A truncated last line (a crash) is accepted; only
 * verified events are returned, so a crashed recording reads back to its last flushed event.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { AgentEvent, AgentHeader, AsciicastEvent, AsciicastHeader, indexPathFor, SqlEvent, SqlHeader, type KeyframeEntry } from './recording-format.js';
import { parseIndex, splitLines, verifyParsed, type VerifyResult } from './verify.js';

export type RecordingContents =
  | { kind: 'terminal'; header: AsciicastHeader; events: AsciicastEvent[]; keyframes: KeyframeEntry[]; verify: VerifyResult & { intact: true } }
  | { kind: 'sql'; header: SqlHeader; events: SqlEvent[]; keyframes: KeyframeEntry[]; verify: VerifyResult & { intact: true } }
  | { kind: 'agent'; header: AgentHeader; events: AgentEvent[]; keyframes: KeyframeEntry[]; verify: VerifyResult & { intact: true } };

export class RecordingInvalid extends Error {
  constructor(
    message: string,
    readonly verify?: VerifyResult,
  ) {
    super(message);
    this.name = 'RecordingInvalid';
  }
}

/** Throws RecordingInvalid when the chain is broken or a verified line breaks the format. */
export async function readRecording(path: string): Promise<RecordingContents> {
  const [data, indexData] = await Promise.all([readFile(path), readFile(indexPathFor(path))]);
  const index = parseIndex(indexData);
  const verify = verifyParsed(data, index);
  if (!verify.intact) throw new RecordingInvalid(`recording is not intact: event ${verify.firstBrokenEvent}: ${verify.reason} (${verify.detail})`, verify);
  const lines = splitLines(data).lines.slice(0, verify.events);
  if (lines.length === 0) throw new RecordingInvalid('the recording has no header', verify);
  const json = lines.map((l, i) => {
    try {
      return JSON.parse(l.bytes.toString('utf8')) as unknown;
    } catch {
      throw new RecordingInvalid(`line ${i + 1} is not JSON`, verify);
    }
  });
  const parse = <T>(schema: z.ZodType<T>, value: unknown, line: number): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new RecordingInvalid(`line ${line + 1}: ${r.error.issues[0]?.message ?? 'invalid'}`, verify);
    return r.data;
  };
  // Keyframes are only usable up to what verified.
  const keyframes = index.keyframes.filter((k) => k.seq < verify.events);
  const first = json[0] as { version?: unknown; format?: unknown };
  if (first.version === 2) {
    const header = parse(AsciicastHeader, json[0], 0);
    const events = json.slice(1).map((e, i) => parse(AsciicastEvent, e, i + 1));
    return { kind: 'terminal', header, events, keyframes, verify };
  }
  if (first.format === 'gatehouse-agent') {
    const header = parse(AgentHeader, json[0], 0);
    const events = json.slice(1).map((e, i) => parse(AgentEvent, e, i + 1));
    return { kind: 'agent', header, events, keyframes, verify };
  }
  // Anything else must be an SQL recording; its header schema says why not otherwise.
  const header = parse(SqlHeader, json[0], 0);
  const events = json.slice(1).map((e, i) => parse(SqlEvent, e, i + 1));
  return { kind: 'sql', header, events, keyframes, verify };
}
