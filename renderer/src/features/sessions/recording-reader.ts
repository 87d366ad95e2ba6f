import type { GatehouseBridge } from '@gatehouse/gateway-core/contract';
import { plainError } from '../sql-editor/bridge-call';

/** Bytes asked for per `sessions.read`: big enough to keep round trips few, small enough to parse in slices. */
export const READ_CHUNK_BYTES = 2 * 1024 * 1024;

export interface ReadProgress {
  /** Byte offset read up to. */
  offset: number;
  totalBytes: number;
  /** The end of what the server holds now; for a live session, more may come later. */
  eof: boolean;
  /** The session is still being recorded or uploaded: poll again from `offset` for more. */
  live: boolean;
}

/**
 * Reads one part of a recording (`body` or `index`) from `offset` until eof, handing each chunk
 * (whole lines) to `onText` and waiting for it before asking for the next, so parsing paces the
 * reads. Throws a plain-worded Error on a bridge failure; stops quietly once `signal` aborts.
 */
export async function readPart(
  bridge: GatehouseBridge,
  sessionId: string,
  part: 'body' | 'index',
  onText: (text: string, progress: ReadProgress) => Promise<void> | void,
  signal: AbortSignal,
  offset = 0,
  until?: (progress: ReadProgress) => boolean,
): Promise<ReadProgress> {
  let progress: ReadProgress = { offset, totalBytes: 0, eof: false, live: false };
  while (!signal.aborted) {
    const r = await bridge.invoke('sessions.read', { sessionId, part, offset: progress.offset, maxBytes: READ_CHUNK_BYTES });
    if (signal.aborted) break;
    if ('error' in r) throw new Error(plainError(r.error, `read the recording's ${part}`));
    const { text, nextOffset, eof, totalBytes, live } = r.ok;
    // A chunk that makes no progress and is not the end would loop forever: treat it as the end.
    const stalled = nextOffset <= progress.offset && !eof;
    progress = { offset: nextOffset, totalBytes, eof: eof || stalled, live };
    if (text) await onText(text, progress);
    if (progress.eof || until?.(progress)) break;
  }
  return progress;
}

/** Lets the browser paint and handle input between parse slices. */
export const yieldToMain = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Splits text into lines and calls `each` for every non-empty one, yielding to the main thread
 * every `budgetMs`, so a multi-megabyte chunk never blocks input for long.
 */
export async function forEachLine(text: string, each: (line: string) => void, signal: AbortSignal, budgetMs = 12): Promise<void> {
  let start = 0;
  let sliceStart = performance.now();
  let n = 0;
  while (start < text.length && !signal.aborted) {
    let nl = text.indexOf('\n', start);
    if (nl === -1) nl = text.length;
    if (nl > start) each(text.slice(start, nl));
    start = nl + 1;
    if ((++n & 255) === 0 && performance.now() - sliceStart > budgetMs) {
      await yieldToMain();
      sliceStart = performance.now();
    }
  }
}
