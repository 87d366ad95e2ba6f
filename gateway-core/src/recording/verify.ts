/**
 * verify: recomputes a recording's hash chain from its bytes and compares it with its index.
 *
 * Event numbers are line numbers of the recording: event 0 is the header.
 *
 * What is accepted (intact):
 * - A sealed recording (index ends with `end`): exactly `end.events` complete lines, every line's
 *   offset, length, digest and chained hash as indexed, `end.head` the last hash, no extra bytes.
 * - An unsealed one (the process died, or it is still being written), where every line that both
 *   the file and the index have matches, plus, because of how the writer orders its writes:
 *   - a truncated last line (a write cut short): ignored, reported as `truncatedBytes`;
 *   - complete lines the index does not have yet (the recording's part of a batch was written,
 *     the index's part not): they are excluded from the verified events, never vouched for, and
 *     reported as `unindexed`;
 *   - index entries the recording lacks, only if they all belong to the index's last flush batch
 *     and start exactly where the recording's complete lines end (the recording's part of the last
 *     batch was lost, e.g. on power loss without fsync): reported as `lost`. Anything else
 *     missing is `truncated`.
 *   A crash therefore costs at most the last batch, which is all the writer promises. Cutting off
 *   the end of an unsealed recording at a batch boundary looks the same as a crash; only the
 *   seal (or, later, the head hash held by the policy server after upload) tells them apart.
 *
 * Keyframes are derived data (see recording-format.ts); they are parsed but not vouched for.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ChainEntry, EndEntry, KeyframeEntry } from './recording-format.js';
import { GENESIS_HASH, IndexEntry, indexPathFor } from './recording-format.js';

export type BreakReason = 'changed' | 'removed' | 'reordered' | 'inserted' | 'truncated' | 'index-damaged' | 'unreadable';

export type VerifyResult =
  | {
      intact: true;
      /** Verified events (lines), the header included. */
      events: number;
      /** The index carries an `end` entry: the recording was closed cleanly. */
      sealed: boolean;
      /** Complete lines after the last indexed one (unsealed only): not verified, not counted. */
      unindexed: number;
      /** Indexed events the recording lacks (unsealed only, within the last flush batch). */
      lost: number;
      /** Bytes of a partial last line (unsealed only). */
      truncatedBytes: number;
      /** The last verified hash. */
      head: string;
    }
  | {
      intact: false;
      /** The first event (line number, 0 = header) that is not as recorded. */
      firstBrokenEvent: number;
      reason: BreakReason;
      detail: string;
      /** Events before the broken one, which did verify. */
      verifiedEvents: number;
    };

export interface RecordingLine {
  seq: number;
  offset: number;
  bytes: Buffer;
}

export interface ParsedIndex {
  chain: ChainEntry[];
  keyframes: KeyframeEntry[];
  end: EndEntry | undefined;
}

/** Complete (newline-terminated) lines, and the length of a partial last line. */
export function splitLines(buf: Buffer): { lines: RecordingLine[]; truncatedBytes: number } {
  const lines: RecordingLine[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) break;
    lines.push({ seq: lines.length, offset: start, bytes: buf.subarray(start, nl) });
    start = nl + 1;
  }
  return { lines, truncatedBytes: buf.length - start };
}

/** Parses the index; a partial last line is ignored, any other bad line throws IndexDamaged. */
export function parseIndex(buf: Buffer): ParsedIndex {
  const { lines } = splitLines(buf);
  const out: ParsedIndex = { chain: [], keyframes: [], end: undefined };
  for (const line of lines) {
    let entry: IndexEntry;
    try {
      entry = IndexEntry.parse(JSON.parse(line.bytes.toString('utf8')));
    } catch {
      throw new IndexDamaged(line.seq, `index line ${line.seq + 1} is not a valid index entry`);
    }
    if (out.end) throw new IndexDamaged(line.seq, `index line ${line.seq + 1} follows the end entry`);
    if (entry.k === 'c') {
      if (entry.seq !== out.chain.length) throw new IndexDamaged(line.seq, `index line ${line.seq + 1} is chain entry ${entry.seq}, expected ${out.chain.length}`);
      out.chain.push(entry);
    } else if (entry.k === 'kf') out.keyframes.push(entry);
    else out.end = entry;
  }
  return out;
}

class IndexDamaged extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
export const chainHash = (prev: string, b: Buffer): string => createHash('sha256').update(prev, 'latin1').update(b).digest('hex');

export async function verifyRecording(path: string): Promise<VerifyResult> {
  let data: Buffer;
  let indexData: Buffer;
  try {
    [data, indexData] = await Promise.all([readFile(path), readFile(indexPathFor(path))]);
  } catch (err) {
    return broken(0, 'unreadable', `cannot read the recording or its index: ${(err as Error).message}`);
  }
  let index: ParsedIndex;
  try {
    index = parseIndex(indexData);
  } catch (err) {
    if (err instanceof IndexDamaged) return broken(0, 'index-damaged', err.message);
    throw err;
  }
  return verifyParsed(data, index);
}

export function verifyParsed(data: Buffer, index: ParsedIndex): VerifyResult {
  const { lines, truncatedBytes } = splitLines(data);
  const { chain, end } = index;
  const common = Math.min(lines.length, chain.length);
  const digests = lines.map((l) => digest(l.bytes));
  let head = GENESIS_HASH;
  for (let i = 0; i < common; i++) {
    const line = lines[i]!;
    const entry = chain[i]!;
    if (digests[i] !== entry.d) return classify(i, digests, chain);
    if (line.offset !== entry.off || line.bytes.length !== entry.len) return broken(i, 'index-damaged', `event ${i}'s position in the index does not match the recording`);
    head = chainHash(head, line.bytes);
    if (head !== entry.h) return broken(i, 'index-damaged', `the index's hash chain breaks at event ${i}: the index was altered`);
  }

  if (end) {
    if (chain.length !== end.events || end.head !== (chain[chain.length - 1]?.h ?? GENESIS_HASH)) return broken(chain.length, 'index-damaged', 'the end entry does not match the chain');
    if (lines.length < chain.length) return broken(lines.length, 'truncated', `the recording was sealed with ${end.events} events, but only ${lines.length} are there`);
    if (lines.length > chain.length || truncatedBytes > 0) return broken(chain.length, 'inserted', `the recording was sealed with ${end.events} events, but more data follows them`);
    if (data.length !== end.bytes) return broken(lines.length, 'index-damaged', 'the recording length differs from the sealed length');
    return { intact: true, events: lines.length, sealed: true, unindexed: 0, lost: 0, truncatedBytes: 0, head };
  }

  if (lines.length >= chain.length) {
    return { intact: true, events: common, sealed: false, unindexed: lines.length - chain.length, lost: 0, truncatedBytes, head };
  }
  // The index is ahead: acceptable only as the lost part of the last flush batch.
  const missing = chain.slice(lines.length);
  const lastBatch = chain[chain.length - 1]!.b;
  const contentEnd = lines.length ? lines[lines.length - 1]!.offset + lines[lines.length - 1]!.bytes.length + 1 : 0;
  const cleanCut = missing[0]!.off === contentEnd && missing.every((e) => e.b === lastBatch) && truncatedBytes < missing[0]!.len + 1;
  if (!cleanCut) return broken(lines.length, 'truncated', `events ${lines.length}-${chain.length - 1} are indexed but missing from the recording`);
  return { intact: true, events: common, sealed: false, unindexed: 0, lost: missing.length, truncatedBytes, head };
}

/** Names what happened at the first event whose bytes differ from what was indexed. */
function classify(i: number, digests: string[], chain: ChainEntry[]): VerifyResult {
  const here = digests[i]!;
  const expected = chain[i]!.d;
  let indexedAt = -1;
  for (let j = i + 1; j < chain.length && indexedAt < 0; j++) if (chain[j]!.d === here) indexedAt = j;
  if (indexedAt < 0) for (let j = 0; j < i && indexedAt < 0; j++) if (chain[j]!.d === here) indexedAt = j;
  const expectedLater = digests.indexOf(expected, i + 1);
  let reason: BreakReason;
  let detail: string;
  if (indexedAt < 0) {
    if (expectedLater === i + 1) {
      reason = 'inserted';
      detail = `event ${i} was not recorded: it was inserted before the recorded event ${i}`;
    } else {
      reason = 'changed';
      detail = `event ${i} differs from what was recorded`;
    }
  } else if (indexedAt > i) {
    if (expectedLater < 0) {
      reason = 'removed';
      detail = indexedAt === i + 1 ? `event ${i} was removed` : `events ${i}-${indexedAt - 1} were removed`;
    } else {
      reason = 'reordered';
      detail = `event ${i} is out of place: recorded event ${indexedAt} is here, and event ${i} is at line ${expectedLater + 1}`;
    }
  } else {
    reason = 'inserted';
    detail = `event ${i} repeats the recorded event ${indexedAt}`;
  }
  return broken(i, reason, detail);
}

function broken(firstBrokenEvent: number, reason: BreakReason, detail: string): VerifyResult {
  return { intact: false, firstBrokenEvent, reason, detail, verifiedEvents: firstBrokenEvent };
}
