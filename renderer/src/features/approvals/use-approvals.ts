import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { ApprovalView, PolicyServerStatus } from '@gatehouse/gateway-core/contract';
import type { ApprovalsSnapshot, ApprovalsStore, SqlResultEvent } from './approvals-store';

export const ApprovalsContext = createContext<ApprovalsStore | null>(null);

export function useApprovalsStore(): ApprovalsStore {
  const store = useContext(ApprovalsContext);
  if (!store) throw new Error('useApprovalsStore outside ApprovalsProvider');
  return store;
}

/** The whole snapshot; re-renders on any approvals change. */
export function useApprovals(): ApprovalsSnapshot {
  const store = useApprovalsStore();
  return useSyncExternalStore(store.subscribe, () => store.snapshot);
}

/** One request, live: re-renders only when that request (or nothing else of the snapshot it reads) changes. */
export function useApproval(requestId: string | null): ApprovalView | null {
  const store = useApprovalsStore();
  return useSyncExternalStore(store.subscribe, () => (requestId ? (store.snapshot.requests.get(requestId) ?? null) : null));
}

export function useSqlResult(requestId: string | null): SqlResultEvent | null {
  const store = useApprovalsStore();
  return useSyncExternalStore(store.subscribe, () => (requestId ? (store.snapshot.sqlResults.get(requestId) ?? null) : null));
}

export function usePolicyServerStatus(): PolicyServerStatus | null {
  const store = useApprovalsStore();
  return useSyncExternalStore(store.subscribe, () => store.snapshot.status);
}

/** Pending requests by others that the signed-in user may still decide: the inbox badge. */
export function pendingForMe(snapshot: ApprovalsSnapshot): ApprovalView[] {
  const { me } = snapshot;
  return [...snapshot.requests.values()].filter((r) => r.status === 'pending' && r.requester !== me && !r.decisions.some((d) => d.by === me));
}

export function usePendingInboxCount(): number {
  const store = useApprovalsStore();
  return useSyncExternalStore(store.subscribe, () => pendingCount(store.snapshot));
}

const counts = new WeakMap<ApprovalsSnapshot, number>();
function pendingCount(s: ApprovalsSnapshot): number {
  let n = counts.get(s);
  if (n === undefined) {
    n = pendingForMe(s).length;
    counts.set(s, n);
  }
  return n;
}

/** The current time, ticking: for ages and "until HH:MM" checks. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}
