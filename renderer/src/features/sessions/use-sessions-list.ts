import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionFilter, SessionView } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { plainError } from '../sql-editor/bridge-call';

export interface SessionsList {
  sessions: SessionView[];
  loading: boolean;
  error: string | null;
  reload(): void;
}

/** `sessions.list` for a filter; a late answer for an older filter is dropped. */
export function useSessionsList(filter: SessionFilter): SessionsList {
  const { bridge, identity } = useAppState();
  const [state, setState] = useState<Omit<SessionsList, 'reload'>>({ sessions: [], loading: true, error: null });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const key = JSON.stringify(filter);
  const me = identity?.current?.id ?? null;

  useEffect(() => {
    const g = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    void bridge.invoke('sessions.list', JSON.parse(key) as SessionFilter).then((r) => {
      if (g !== generation.current) return;
      if ('ok' in r) setState({ sessions: r.ok.sessions, loading: false, error: null });
      else setState({ sessions: [], loading: false, error: plainError(r.error, 'list sessions') });
    });
  }, [bridge, key, tick, me]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}
