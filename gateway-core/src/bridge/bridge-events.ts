import type { BridgeEventName, BridgeEventPayload } from '../contract/bridge-contract.js';

export type BridgeEventListener = <E extends BridgeEventName>(event: E, payload: BridgeEventPayload<E>) => void;

/** Fan-out of host events to every attached transport (an IPC window, a socket). */
export class BridgeEventHub {
  private readonly listeners = new Set<BridgeEventListener>();

  attach(listener: BridgeEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends BridgeEventName>(event: E, payload: BridgeEventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // One broken transport must not starve the others.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
