/**
 * Live upload (issue 6, "Live view"): while a session runs, the uploader sends what its recorder
 * has flushed so far, so that the server's copy trails the session by a few seconds and an admin
 * can watch it. This module is the per-recording part; RecordingUploader decides when.
 *
 * - **Whole lines only.** The recorder writes a batch with one write(2) per file, recording
 *   first, then index; a read racing a write may see a cut last line. So each file is sent up to
 *   its last newline and a cut line waits for the next push, and each PUT is cut at a newline
 *   too, so the server never holds half a line at the end of a chunk (a single line longer than a
 *   chunk, which is already whole in the file, is the exception: its pieces follow one another).
 *   The index is measured before the recording and sent after it, so every line the server's
 *   index names is already in the server's recording.
 * - **Same protocol, nothing weaker.** The pushes are ordinary resumable appends at the server's
 *   offset, with the owner's token. The session stays 'uploading'; only the sealed recording is
 *   completed (hashes and chain verified), by the uploader's usual path, which resumes after
 *   whatever was streamed.
 * - **Cheap.** A push with the same file sizes as the last one reads nothing and sends nothing.
 *   A recording the server refuses is not streamed again (it is still uploaded when sealed, where
 *   the refusal is handled as for any recording).
 */
import { open } from 'node:fs/promises';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { SessionMeta } from '../recording/recording-format.js';
import type { UploadPart } from './sessions-api.js';
import { UploadOffsetMismatch, type SessionTransport } from './session-client.js';
import { wholeLinesEnd } from './spool-files.js';

/** A recording still being written, as the spool scan saw it (index size taken first). */
export interface LiveRecording {
  name: string;
  path: string;
  indexPath: string;
  bodyBytes: number;
  indexBytes: number;
  meta: SessionMeta;
}

interface LiveState {
  /** What the server holds of each file (the next append's offsets). */
  body: number;
  index: number;
  /** The file sizes the last push looked at: unchanged sizes mean nothing new to send. */
  seenBody: number;
  seenIndex: number;
}

export interface SendOptions {
  transport: SessionTransport;
  chunkBytes: number;
  /** Cut every chunk after its last newline (live pushes). */
  wholeLines: boolean;
  /** Checked before each chunk: the uploader is closing. */
  stopped: () => boolean;
}

/**
 * Appends `[from, to)` of a file to the server's copy, in chunks, at the server's offsets;
 * returns the server's length afterwards. An offset mismatch (an earlier answer was lost) resumes
 * where the server says, a few times.
 */
export async function sendPart(o: SendOptions, token: string, id: string, part: UploadPart, path: string, from: number, to: number): Promise<number> {
  if (from >= to) return from;
  const fh = await open(path, 'r');
  try {
    let offset = from;
    let mismatches = 0;
    while (offset < to) {
      if (o.stopped()) throw new GatehouseError('unavailable', 'the uploader was stopped');
      const len = Math.min(o.chunkBytes, to - offset);
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, offset);
      let send = bytesRead;
      if (o.wholeLines && offset + bytesRead < to) {
        const cut = buf.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
        if (cut > 0) send = cut;
      }
      try {
        const state = await o.transport.append(token, id, part, offset, buf.subarray(0, send));
        offset = part === 'body' ? state.bodyBytes : state.indexBytes;
      } catch (err) {
        // Someone (an earlier attempt whose answer was lost) moved the server on: resume there.
        if (err instanceof UploadOffsetMismatch && err.expectedOffset <= to && mismatches++ < 3) {
          offset = err.expectedOffset;
          continue;
        }
        throw err;
      }
    }
    return offset;
  } finally {
    await fh.close();
  }
}

/** The live side of the uploader: what was streamed of each running recording. */
export class LiveUploads {
  private readonly states = new Map<string, LiveState>();
  /** Recordings the server refused to take live; they wait for their seal like any other. */
  private readonly refused = new Set<string>();

  constructor(private readonly send: Omit<SendOptions, 'wholeLines'>) {}

  /** Whether a push of this recording could send anything (not refused, and its files grew). */
  hasNews(c: LiveRecording): boolean {
    if (this.refused.has(c.name)) return false;
    const st = this.states.get(c.name);
    return !st || st.seenBody !== c.bodyBytes || st.seenIndex !== c.indexBytes;
  }

  isRefused(name: string): boolean {
    return this.refused.has(name);
  }

  refuse(name: string): void {
    this.refused.add(name);
    this.states.delete(name);
  }

  /** Drops what is known of recordings no longer in the spool (uploaded, or removed). */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.states.keys()) if (!names.has(name)) this.states.delete(name);
    for (const name of this.refused) if (!names.has(name)) this.refused.delete(name);
  }

  /** Sends the whole lines `c` holds beyond what the server has, with its owner's token. */
  async push(c: LiveRecording, token: string): Promise<void> {
    const t = this.send.transport;
    const id = c.meta.sessionId;
    let st = this.states.get(c.name);
    if (!st) {
      const started = Date.parse(c.meta.startedAt);
      const startedAt = new Date(Number.isNaN(started) ? Date.now() : started).toISOString();
      const session = await t.createSession(token, id, { kind: c.meta.kind, connectionId: c.meta.connectionId, startedAt });
      if (session.status === 'complete') throw new GatehouseError('invalid_input', `the policy server already holds session ${id} complete, while its recording is still being written`);
      const state = await t.uploadState(token, id);
      st = { body: state.bodyBytes, index: state.indexBytes, seenBody: -1, seenIndex: -1 };
      this.states.set(c.name, st);
    }
    // Index first, as the scan measured it: the body holds at least the lines it names.
    const indexEnd = await wholeLinesEnd(c.indexPath, st.index, c.indexBytes);
    const bodyEnd = await wholeLinesEnd(c.path, st.body, c.bodyBytes);
    if (st.body > bodyEnd || st.index > indexEnd) {
      // Not a prefix of this file: leave it to the final upload, which starts such a copy over.
      throw new GatehouseError('invalid_input', `the policy server holds more of session ${id} than its recording has in whole lines`);
    }
    const opts: SendOptions = { ...this.send, wholeLines: true };
    st.body = await sendPart(opts, token, id, 'body', c.path, st.body, bodyEnd);
    st.index = await sendPart(opts, token, id, 'index', c.indexPath, st.index, indexEnd);
    st.seenBody = c.bodyBytes;
    st.seenIndex = c.indexBytes;
  }
}
