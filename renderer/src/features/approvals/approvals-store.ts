import type {
  ApprovalRequestInput,
  ApprovalView,
  BridgeEventPayload,
  BridgeResult,
  GatehouseBridge,
  PolicyServerStatus,
} from '@gatehouse/gateway-core/contract';

export type SqlResultEvent = BridgeEventPayload<'approvals.sqlResult'>;

export interface ApprovalsSnapshot {
  /** Every request that concerns the signed-in user (theirs, or one they may decide), by id. */
  requests: ReadonlyMap<string, ApprovalView>;
  /** Results of approved statements that ran in this app's tabs, by request id. */
  sqlResults: ReadonlyMap<string, SqlResultEvent>;
  /** null until the host has answered (or when it cannot say). */
  status: PolicyServerStatus | null;
  /** The identity the requests were loaded for. */
  me: string | null;
  /** The inbox scope answered with something at least once for this identity. */
  inboxSeen: boolean;
  loading: boolean;
  loadError: string | null;
}

const EMPTY: ApprovalsSnapshot = {
  requests: new Map(),
  sqlResults: new Map(),
  status: null,
  me: null,
  inboxSeen: false,
  loading: false,
  loadError: null,
};

/**
 * The renderer's one view of approvals: subscribes once to approvals.changed, approvals.sqlResult
 * and policyServer.status, and keeps requests in a map by id. Components read it through
 * useSyncExternalStore (use-approvals.ts), so a status change re-renders only what shows it.
 */
export class ApprovalsStore {
  private state: ApprovalsSnapshot = EMPTY;
  private readonly watchers = new Set<() => void>();
  private unsubscribers: Array<() => void> = [];
  /** Increments on each identity change, so that a late list answer for the previous one is dropped. */
  private generation = 0;
  /** Ids an event touched while a list call was in flight: the event is newer than the list. */
  private touchedDuringLoad = new Set<string>();

  constructor(private readonly bridge: GatehouseBridge) {}

  get snapshot(): ApprovalsSnapshot {
    return this.state;
  }

  subscribe = (watcher: () => void): (() => void) => {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  };

  private set(patch: Partial<ApprovalsSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const w of this.watchers) w();
  }

  start(): () => void {
    this.unsubscribers = [
      this.bridge.subscribe('approvals.changed', (view) => this.upsert(view, true)),
      this.bridge.subscribe('approvals.sqlResult', (event) => {
        const sqlResults = new Map(this.state.sqlResults);
        sqlResults.set(event.requestId, event);
        this.set({ sqlResults });
      }),
      this.bridge.subscribe('policyServer.status', (status) => this.set({ status })),
    ];
    void this.bridge.invoke('approvals.status', {}).then((r) => {
      if ('ok' in r) this.set({ status: r.ok });
    });
    return () => {
      for (const u of this.unsubscribers) u();
      this.unsubscribers = [];
      this.generation++;
    };
  }

  /** Loads "mine" and "inbox" for this identity; everything known about the previous one is forgotten. */
  async load(me: string | null): Promise<void> {
    const generation = ++this.generation;
    this.touchedDuringLoad = new Set();
    this.set({ me, requests: new Map(), sqlResults: new Map(), inboxSeen: false, loading: me !== null, loadError: null });
    if (me === null) return;
    const [mine, inbox] = await Promise.all([
      this.bridge.invoke('approvals.list', { scope: 'mine' }),
      this.bridge.invoke('approvals.list', { scope: 'inbox' }),
    ]);
    if (generation !== this.generation) return;
    const requests = new Map(this.state.requests);
    for (const r of [mine, inbox]) {
      if (!('ok' in r)) continue;
      for (const view of r.ok.requests) if (!this.touchedDuringLoad.has(view.id)) requests.set(view.id, view);
    }
    const failure = [mine, inbox].find((r) => 'error' in r);
    this.set({
      requests,
      loading: false,
      inboxSeen: this.state.inboxSeen || ('ok' in inbox && inbox.ok.requests.length > 0),
      loadError: failure && 'error' in failure ? failure.error.message : null,
    });
  }

  private upsert(view: ApprovalView, fromEvent: boolean): void {
    if (fromEvent) this.touchedDuringLoad.add(view.id);
    const requests = new Map(this.state.requests);
    requests.set(view.id, view);
    const inboxSeen = this.state.inboxSeen || (this.state.me !== null && view.requester !== this.state.me);
    this.set({ requests, inboxSeen });
  }

  async request(input: ApprovalRequestInput): Promise<BridgeResult<ApprovalView>> {
    const r = await this.bridge.invoke('approvals.request', input);
    if ('ok' in r) this.upsert(r.ok, false);
    return r;
  }

  async decide(requestId: string, decision: 'approve' | 'deny', reason: string): Promise<BridgeResult<ApprovalView>> {
    const r = await this.bridge.invoke('approvals.decide', { requestId, decision, reason });
    if ('ok' in r) this.upsert(r.ok, false);
    return r;
  }

  async cancel(requestId: string): Promise<BridgeResult<ApprovalView>> {
    const r = await this.bridge.invoke('approvals.cancel', { requestId });
    if ('ok' in r) this.upsert(r.ok, false);
    return r;
  }

  /** Asks the host again (the banner's retry is the host's; this only refreshes what we show). */
  async refreshStatus(): Promise<void> {
    const r = await this.bridge.invoke('approvals.status', {});
    if ('ok' in r) this.set({ status: r.ok });
  }
}
