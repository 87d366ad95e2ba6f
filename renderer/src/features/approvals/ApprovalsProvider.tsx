import { useEffect, useState, type ReactNode } from 'react';
import { useAppState } from '../../app/AppContext';
import { ApprovalsStore } from './approvals-store';
import { ApprovalsContext } from './use-approvals';
import './approvals.css';

/**
 * One ApprovalsStore per bridge for the whole window: the SQL tabs, terminal panes, connection
 * list and inbox all read the same map, so one approvals.changed updates every place at once.
 * Reloads when the signed-in identity changes (requests are per user).
 */
export function ApprovalsProvider({ children }: { children: ReactNode }) {
  const { bridge, identity } = useAppState();
  const [store] = useState(() => new ApprovalsStore(bridge));
  const me = identity?.current?.id ?? null;

  useEffect(() => store.start(), [store]);
  useEffect(() => {
    void store.load(me);
  }, [store, me]);

  return <ApprovalsContext.Provider value={store}>{children}</ApprovalsContext.Provider>;
}
