/**
 * The per-user event stream from the policy server (SSE), kept open for as long as the gateway
 * runs: reconnects with backoff, and reports reachability so that the UI can say approvals are
 * paused. Missed events are not replayed by the server, so each (re)connect is followed by a
 * catch-up read (`onConnected`).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Logger } from '../logging/logger.js';
import { ServerEvent } from './policy-server-api.js';
import type { PolicyServerClient } from './policy-server-client.js';

export interface ServerEventsHandlers {
  onEvent(event: ServerEvent): void;
  onConnected(): void;
  onDisconnected(reason: string): void;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
/** The server sends a heartbeat every ~15 s; silence for longer means the stream is dead. */
const SILENCE_MS = 40_000;

export class ServerEventStream {
  private controller: AbortController | null = null;
  private stopped = false;
  private backoff = MIN_BACKOFF_MS;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: PolicyServerClient,
    private readonly handlers: ServerEventsHandlers,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Drops the stream and opens a new one (after a sign-in or an identity switch). */
  restart(): void {
    this.controller?.abort();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.backoff = MIN_BACKOFF_MS;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.controller?.abort();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const controller = new AbortController();
    this.controller = controller;
    let reason = 'the stream ended';
    try {
      const res = await this.client.openEventStream(controller.signal);
      this.backoff = MIN_BACKOFF_MS;
      this.handlers.onConnected();
      reason = await this.read(res, controller);
    } catch (err) {
      if (controller.signal.aborted && this.controller !== controller) return;
      reason = err instanceof Error ? err.message : String(err);
    }
    if (this.stopped || this.controller !== controller) return;
    this.handlers.onDisconnected(reason);
    this.retryTimer = setTimeout(() => void this.connect(), this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }

  private async read(res: Response, controller: AbortController): Promise<string> {
    let silence = setTimeout(() => controller.abort(), SILENCE_MS);
    const parser = createParser({
      onEvent: (message: EventSourceMessage) => this.dispatch(message),
      onComment: () => undefined,
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(silence);
        silence = setTimeout(() => controller.abort(), SILENCE_MS);
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
      return 'the policy server closed the event stream';
    } catch {
      return controller.signal.aborted ? 'the event stream went silent' : 'the event stream broke';
    } finally {
      clearTimeout(silence);
    }
  }

  private dispatch(message: EventSourceMessage): void {
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch {
      this.logger.warn({ event: message.event }, 'policy server sent an event that is not JSON; ignored');
      return;
    }
    const parsed = ServerEvent.safeParse(data);
    if (!parsed.success) {
      this.logger.warn({ event: message.event }, 'policy server sent an event that does not match the API; ignored');
      return;
    }
    this.handlers.onEvent(parsed.data);
  }
}
