import { useEffect, useState } from 'react';
import type { SessionView } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { plainError } from '../sql-editor/bridge-call';
import { AgentRecording } from './agent-recording';
import { forEachLine, readPart } from './recording-reader';
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
  done: boolean;
  error: string | null;
  /** Bumps whenever more of the recording was parsed (the models are mutated in place). */
  version: number;
  /** Milliseconds from opening to the whole recording parsed. */
  loadMs: number | null;
}

const INITIAL: RecordingState = { view: null, terminal: null, sql: null, agent: null, loaded: 0, total: 0, done: false, error: null, version: 0, loadMs: null };

/**
 * Opens a session: `sessions.get` (the policy server decides whether this user may), then reads
 * its body (and, for terminals, its index with the keyframes) in chunks, parsing line by line in
 * time slices so a 50 MB recording never freezes the window. Each parsed chunk bumps `version`.
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
      update({ view, terminal, sql, agent, total: view.bodyBytes });
      const body = readPart(
        bridge,
        sessionId,
        'body',
        async (text, p) => {
          await forEachLine(text, (line) => model.addBodyLine(line), signal);
          update({ loaded: p.offset, total: Math.max(p.totalBytes, p.offset) });
        },
        signal,
      );
      const index = terminal
        ? readPart(bridge, sessionId, 'index', (text) => forEachLine(text, (line) => terminal.addIndexLine(line), signal), signal)
        : Promise.resolve();
      await Promise.all([body, index]);
      update({ done: true, loadMs: Math.round(performance.now() - started) });
    })().catch((e: unknown) => update({ error: e instanceof Error ? e.message : String(e) }));
    return () => abort.abort();
  }, [bridge, sessionId]);

  return state;
}
