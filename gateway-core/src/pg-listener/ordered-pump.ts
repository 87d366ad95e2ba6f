/**
 * Runs a handler over batches of items (the messages of one socket chunk), strictly in order.
 *
 * Synchronous while the handlers are: nearly every message is handled without waiting, and a
 * promise per message (or per chunk) showed up as a large share of the listener's time per
 * pgbench transaction. When a handler returns a promise (a catalog look-up, authentication, a
 * COPY's describe), the rest of that batch and every later batch wait for it.
 */
export interface PumpHooks {
  /** Before waiting on a handler's promise (flush what the batch produced so far). */
  beforeWait(): void;
  /** After each batch (one write for everything it produced). */
  afterBatch(): void;
  /** Once no batch is waiting any more. */
  idle(): void;
  /** A handler threw or its promise rejected; later items are still offered (the handler checks its own state). */
  fail(err: unknown): void;
}

export class OrderedPump<T> {
  private tail: Promise<void> | null = null;
  /** Items accepted but not yet handled (for backpressure). */
  queued = 0;

  constructor(
    private readonly handle: (item: T) => void | Promise<void>,
    private readonly hooks: PumpHooks,
  ) {}

  get busy(): boolean {
    return this.tail !== null;
  }

  push(items: readonly T[]): void {
    if (items.length === 0) return;
    this.queued += items.length;
    if (this.tail) {
      this.tail = this.tail.then(() => this.run(items, 0));
      this.settle(this.tail);
      return;
    }
    const waiting = this.run(items, 0);
    if (waiting) {
      this.tail = waiting;
      this.settle(waiting);
    }
  }

  /** Handles items from index i; a promise when a handler went asynchronous. Never rejects. */
  private run(items: readonly T[], i: number): Promise<void> | undefined {
    for (; i < items.length; i++) {
      let pending: void | Promise<void>;
      try {
        pending = this.handle(items[i]!);
      } catch (err) {
        this.hooks.fail(err);
        pending = undefined;
      }
      this.queued--;
      if (pending) {
        this.hooks.beforeWait();
        const next = i + 1;
        return pending.then(
          () => this.run(items, next),
          (err: unknown) => {
            this.hooks.fail(err);
            return this.run(items, next);
          },
        );
      }
    }
    this.hooks.afterBatch();
    return undefined;
  }

  private settle(p: Promise<void>): void {
    void p.then(() => {
      if (this.tail !== p) return;
      this.tail = null;
      this.hooks.idle();
    });
  }
}
