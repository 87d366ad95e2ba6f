/**
 * Server-sent events, per user (GET /v1/events). Delivery is decided in memory from what each
 * stream already knows (its subject and roles) and the request in the event, so a broadcast to
 * 500 streams costs no database query: the event is serialised at most twice (with the grant
 * for its requester, without it for everyone else) and written to each stream that may see it.
 */
import type { ServerResponse } from 'node:http';
import { mayApprove, type ApprovalRequest, type PolicyDocument, type ServerEvent } from '@gatehouse/gateway-core';

export interface EventStream {
  subject: string;
  groups: string[];
  roles: string[];
  res: ServerResponse;
}

/** A stream whose client stopped reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export class EventHub {
  private readonly streams = new Set<EventStream>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(heartbeatMs = 15_000) {
    // One timer for every stream; a comment line keeps proxies from closing idle connections.
    this.heartbeat = setInterval(() => this.writeAll(': keep-alive\n\n'), heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.streams.size;
  }

  add(stream: EventStream): () => void {
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  /** Roles follow the policy in force: a new version re-maps every open stream's groups. */
  remapRoles(rolesFor: (groups: string[]) => string[]): void {
    for (const s of this.streams) s.roles = rolesFor(s.groups);
  }

  /**
   * An approval event goes to its requester (with the grant, if any) and to everyone who may
   * decide it (always without the grant). Nobody else hears of it.
   */
  publishApproval(doc: PolicyDocument, request: ApprovalRequest): void {
    let forRequester: string | undefined;
    let forDeciders: string | undefined;
    for (const s of this.streams) {
      if (s.subject === request.requester) {
        forRequester ??= frame({ type: 'approval', request });
        this.write(s, forRequester);
      } else if (mayApprove(doc, request.requesterRole, s.roles)) {
        forDeciders ??= frame({ type: 'approval', request: { ...request, grant: null } });
        this.write(s, forDeciders);
      }
    }
  }

  publishPolicy(version: number): void {
    this.writeAll(frame({ type: 'policy', version }));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const s of this.streams) s.res.end();
    this.streams.clear();
  }

  private writeAll(text: string): void {
    for (const s of this.streams) this.write(s, text);
  }

  private write(s: EventStream, text: string): void {
    if (s.res.writableLength > MAX_BUFFERED_BYTES) {
      this.streams.delete(s);
      s.res.destroy();
      return;
    }
    s.res.write(text);
  }
}

function frame(event: ServerEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
