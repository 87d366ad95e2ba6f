/**
 * What the uploader reads of the files in the spool, without ever holding a recording whole:
 * whether a recording is sealed, its session metadata, its SHA-256, and how far it holds whole
 * lines (a recording being written may end in a line cut by a write in progress).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { indexPathFor, SessionMeta } from '../recording/recording-format.js';
import { RECORDING_EXTENSIONS } from '../recording/spool.js';

/** Recording files by their endings (spool.ts); the kind itself is read from each header. */
export const isRecordingFile = (name: string): boolean => Object.values(RECORDING_EXTENSIONS).some((ext) => name.endsWith(ext));
export const INDEX_SUFFIX = '.index.jsonl';

/** Bytes read per step when looking backwards for a newline. */
const TAIL_BLOCK = 64 * 1024;

/** The index's last complete line is the writer's `end` entry. */
export async function isSealed(recordingPath: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(indexPathFor(recordingPath), 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, 4096);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const text = buf.toString('utf8');
    if (!text.endsWith('\n')) return false;
    const last = text.slice(text.lastIndexOf('\n', text.length - 2) + 1, -1);
    try {
      return (JSON.parse(last) as { k?: unknown }).k === 'end';
    } catch {
      return false;
    }
  } finally {
    await fh.close();
  }
}

/** The session metadata from the recording's header (line 0), or undefined when unreadable (or not written yet). */
export async function readMeta(path: string): Promise<SessionMeta | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    if (nl < 0) return undefined;
    const header = JSON.parse(text.slice(0, nl)) as { gatehouse?: unknown };
    const meta = SessionMeta.safeParse(header.gatehouse);
    return meta.success ? meta.data : undefined;
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The offset just past the last newline in `[from, size)` of a file, or `from` when there is
 * none: the end of the whole lines a live recording holds. Reads backwards from `size`, so it
 * usually reads one block however long the recording is.
 */
export async function wholeLinesEnd(path: string, from: number, size: number): Promise<number> {
  if (size <= from) return from;
  const fh = await open(path, 'r');
  try {
    for (let end = size; end > from; ) {
      const start = Math.max(from, end - TAIL_BLOCK);
      const buf = Buffer.alloc(end - start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) return start + nl + 1;
      end = start;
    }
    return from;
  } finally {
    await fh.close();
  }
}
