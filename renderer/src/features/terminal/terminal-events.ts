import type { BridgeEventPayload, GatehouseBridge } from '@gatehouse/gateway-core/contract';

export type TerminalEvent =
  | { kind: 'output'; payload: BridgeEventPayload<'terminal.output'> }
  | { kind: 'state'; payload: BridgeEventPayload<'terminal.state'> }
  | { kind: 'guard'; payload: BridgeEventPayload<'terminal.guard'> };

type Listener = (event: TerminalEvent) => void;

/** How long, and how much, we keep for a terminalId nobody has claimed yet. */
const UNCLAIMED_TTL_MS = 10_000;
const UNCLAIMED_MAX_EVENTS = 500;

/**
 * One subscription per bridge for the three terminal events, routed by terminalId.
 *
 * Why a router and not a subscribe per tab: the host may emit `terminal.state: connecting` (or a
 * host-key prompt, or the first prompt's output) before the `terminal.open` reply carrying the
 * terminalId reaches us. Events for ids nobody has claimed are held briefly and replayed on
 * claim, so nothing from a session's first milliseconds is lost. Events of other windows' sessions
 * (the host fans events out to every transport) simply expire.
 */
export class TerminalEventRouter {
  private readonly listeners = new Map<string, Listener>();
  private readonly unclaimed = new Map<string, { at: number; events: TerminalEvent[] }>();
  private unsubscribers: Array<() => void> = [];

  constructor(private readonly bridge: GatehouseBridge) {}

  /** Subscribes lazily, so that a renderer without terminals holds no listeners. */
  private ensureSubscribed(): void {
    if (this.unsubscribers.length > 0) return;
    this.unsubscribers = [
      this.bridge.subscribe('terminal.output', (payload) => this.route({ kind: 'output', payload })),
      this.bridge.subscribe('terminal.state', (payload) => this.route({ kind: 'state', payload })),
      this.bridge.subscribe('terminal.guard', (payload) => this.route({ kind: 'guard', payload })),
    ];
  }

  /** Call before `terminal.open`, so that early events of the new session are held. */
  prepare(): void {
    this.ensureSubscribed();
  }

  /** Starts delivering events of one terminalId, first replaying anything held for it. */
  claim(terminalId: string, listener: Listener): () => void {
    this.ensureSubscribed();
    this.listeners.set(terminalId, listener);
    const held = this.unclaimed.get(terminalId);
    this.unclaimed.delete(terminalId);
    for (const event of held?.events ?? []) listener(event);
    return () => {
      if (this.listeners.get(terminalId) === listener) this.listeners.delete(terminalId);
    };
  }

  private route(event: TerminalEvent): void {
    const id = event.payload.terminalId;
    const listener = this.listeners.get(id);
    if (listener) {
      listener(event);
      return;
    }
    const now = Date.now();
    for (const [key, entry] of this.unclaimed) if (now - entry.at > UNCLAIMED_TTL_MS) this.unclaimed.delete(key);
    const entry = this.unclaimed.get(id) ?? { at: now, events: [] };
    if (entry.events.length < UNCLAIMED_MAX_EVENTS) entry.events.push(event);
    this.unclaimed.set(id, entry);
  }
}

const routers = new WeakMap<GatehouseBridge, TerminalEventRouter>();

export function terminalEventRouter(bridge: GatehouseBridge): TerminalEventRouter {
  let router = routers.get(bridge);
  if (!router) {
    router = new TerminalEventRouter(bridge);
    routers.set(bridge, router);
  }
  return router;
}
