import { useEffect, useState } from 'react';
import type { SessionView } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { plainError } from '../sql-editor/bridge-call';
import { AgentRecording } from './agent-recording';
import { forEachLine, readPart, type ReadProgress } from './recording-reader';
import { SqlRecording } from './sql-recording';
import { TerminalRecording } from './terminal-recording';

export interface RecordingState {
  view: SessionView | null;
  terminal: TerminalRecording | null;
  sql: SqlRecording | null;
  agent: AgentRecording | null;
  /** Bytes of the body parsed so far, and its size. */
  loaded: number;
  total: number;
  /** What the server held when the session was opened has been parsed (a live one goes on growing). */
  done: boolean;
  error: string | null;
  /** Bumps whenever more of the recording was parsed (the models are mutated in place). */
  version: number;
  /** Milliseconds from opening to the whole recording parsed. */
  loadMs: number | null;
  /**
   * Opened while still uploading (live view): 'live' while it is, 'ended' once the server has
   * it complete. null for a session that was complete when opened.
   */
  live: 'live' | 'ended' | null;
  /** Why the last live update failed (the player keeps polling); null when they work. */
  liveError: string | null;
}

const INITIAL: RecordingState = { view: null, terminal: null, sql: null, agent: null, loaded: 0, total: 0, done: false, error: null, version: 0, loadMs: null, live: null, liveError: null };

/** How often a live session is asked for what was uploaded since (the gateway uploads every ~2 s). */
export const LIVE_POLL_MS = 1000;

const NOT_READ: ReadProgress = { offset: 0, totalBytes: 0, eof: true, live: false };

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Opens a session: `sessions.get` (the policy server decides whether this user may), then reads
 * its body (and, for terminals, its index with the keyframes) in chunks, parsing line by line in
 * time slices so a 50 MB recording never freezes the window. Each parsed chunk bumps `version`.
 *
 * A session still uploading is watched live: after what the server holds is read, both parts are
 * read again from where they ended every LIVE_POLL_MS, and new lines are appended to the models.
 * Only reading: nothing here (or anywhere in the player) sends input to a session. It ends when a
 * round of reads finds the session complete (each part then read to its final end); the view is
 * fetched again for its final metadata.
 */
export function useRecording(sessionId: string | null): RecordingState {
  const { bridge } = useAppState();
  const [state, setState] = useState<RecordingState>(INITIAL);

  useEffect(() => {
    setState(INITIAL);
    if (!sessionId) return;
    const abort = new AbortController();
    const { signal } = abort;
    const started = performance.now();
    const update = (patch: Partial<RecordingState>): void => {
      if (!signal.aborted) setState((s) => ({ ...s, ...patch, version: s.version + 1 }));
    };
    void (async () => {
      const got = await bridge.invoke('sessions.get', { sessionId });
      if (signal.aborted) return;
      if ('error' in got) return update({ error: plainError(got.error, `open session ${sessionId}`) });
      const view = got.ok;
      const terminal = view.kind === 'terminal' ? new TerminalRecording() : null;
      const sql = view.kind === 'sql' ? new SqlRecording() : null;
      const agent = view.kind === 'agent' ? new AgentRecording() : null;
      const model = (terminal ?? sql ?? agent)!;
      update({ view, terminal, sql, agent, total: view.bodyBytes, live: view.status === 'uploading' ? 'live' : null });
      // Where each part has been parsed up to, kept per chunk: a read that fails halfway is
      // resumed from here, so no line is added to a model twice.
      const at = { body: 0, index: 0 };
      const readBody = (from: number): Promise<ReadProgress> =>
        readPart(
          bridge,
          sessionId,
          'body',
          async (text, p) => {
            await forEachLine(text, (line) => model.addBodyLine(line), signal);
            at.body = p.offset;
            update({ loaded: p.offset, total: Math.max(p.totalBytes, p.offset) });
          },
          signal,
          from,
        );
      const readIndex = (from: number): Promise<ReadProgress> =>
        terminal
          ? readPart(
              bridge,
              sessionId,
              'index',
              async (text, p) => {
                await forEachLine(text, (line) => terminal.addIndexLine(line), signal);
                at.index = p.offset;
                update({});
              },
              signal,
              from,
            )
          : Promise.resolve(NOT_READ);
      const [body, index] = await Promise.all([readBody(0), readIndex(0)]);
      update({ done: true, loadMs: Math.round(performance.now() - started) });
      if (view.status !== 'uploading') return;

      // Live: until one round reads both parts of a complete session.
      let live = body.live || index.live;
      while (live && !signal.aborted) {
        await sleep(LIVE_POLL_MS, signal);
        if (signal.aborted) return;
        try {
          const [b, i] = await Promise.all([readBody(at.body), readIndex(at.index)]);
          live = b.live || i.live;
          if (!signal.aborted) setState((s) => (s.liveError ? { ...s, liveError: null } : s));
        } catch (e) {
          // The gateway or the server may be away for a moment: say so, and keep trying.
          update({ liveError: e instanceof Error ? e.message : String(e) });
        }
      }
      if (signal.aborted) return;
      const final = await bridge.invoke('sessions.get', { sessionId });
      update({ live: 'ended', liveError: null, ...('ok' in final ? { view: final.ok } : {}) });
    })().catch((e: unknown) => update({ error: e instanceof Error ? e.message : String(e) }));
    return () => abort.abort();
  }, [bridge, sessionId]);

  return state;
}
