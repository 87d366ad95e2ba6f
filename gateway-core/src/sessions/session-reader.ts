/**
 * Reads recorded sessions back from the policy server for the player: the list (the server
 * decides who may see what), one session, and a recording in pieces of whole lines, fetched with
 * HTTP Range so a long recording is never held whole in gateway-core.
 *
 * A live session (still 'uploading') is read as far as the server holds it. Its end may be a
 * line cut between two upload chunks, so it is served only up to its last newline, and each
 * chunk says `live` so that the player polls on from `nextOffset` rather than stopping.
 */
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { SessionChunk, SessionFilter, SessionView } from '../contract/sessions-schemas.js';
import { ApiCallError } from '../approvals/policy-server-client.js';
import type { SessionClient } from '../recording-upload/session-client.js';
import type { Session } from '../recording-upload/sessions-api.js';

const DEFAULT_CHUNK = 4 * 1024 * 1024;
/** A single recording line longer than this is refused rather than buffered. */
const MAX_LINE = 64 * 1024 * 1024;

export class SessionReader {
  constructor(
    private readonly client: SessionClient,
    private readonly accessToken: () => Promise<string | null>,
  ) {}

  async list(filter: SessionFilter): Promise<SessionView[]> {
    const { includeLive, hasBlocked, hasApproval, ...rest } = filter;
    const sessions = await this.client.list(await this.token(), {
      ...rest,
      ...(hasBlocked !== undefined ? { hasBlocked: String(hasBlocked) as 'true' | 'false' } : {}),
      ...(hasApproval !== undefined ? { hasApproval: String(hasApproval) as 'true' | 'false' } : {}),
      ...(includeLive ? { status: 'any' as const } : {}),
    });
    return sessions.map(view);
  }

  async get(sessionId: string): Promise<SessionView> {
    return view(await this.client.get(await this.token(), sessionId));
  }

  async read(sessionId: string, part: 'body' | 'index', offset: number, maxBytes = DEFAULT_CHUNK): Promise<SessionChunk> {
    const token = await this.token();
    for (let want = maxBytes; ; want *= 4) {
      let got: Awaited<ReturnType<SessionClient['read']>>;
      try {
        got = await this.client.read(token, sessionId, part, { start: offset, end: offset + want - 1 });
      } catch (err) {
        // 416 (from a server that does not say its size with it): nothing at or after `offset`.
        if (!(err instanceof ApiCallError) || err.status !== 416) throw err;
        const s = await this.client.get(token, sessionId);
        return { text: '', nextOffset: offset, eof: true, totalBytes: part === 'body' ? s.bodyBytes : s.indexBytes, live: s.status === 'uploading' };
      }
      const { bytes, total } = got;
      const live = got.status === 'uploading';
      const end = offset + bytes.length;
      const atEnd = end >= total;
      // Whole lines only, so that no line (or UTF-8 character) is split between two reads. A
      // complete recording's last line may lack its newline (a crash cut it) and is served as is;
      // a live one's waits for the rest.
      const cut = atEnd && !live ? bytes.length : bytes.lastIndexOf(0x0a) + 1;
      if (cut > 0 || atEnd) return { text: bytes.toString('utf8', 0, cut), nextOffset: offset + cut, eof: atEnd, totalBytes: total, live };
      if (want >= MAX_LINE) throw new GatehouseError('unavailable', `A line of this recording is longer than ${MAX_LINE / 1024 / 1024} MiB; it cannot be replayed here`);
    }
  }

  private async token(): Promise<string> {
    const token = await this.accessToken();
    if (!token) throw new GatehouseError('forbidden', 'Sign in to see recorded sessions');
    return token;
  }
}

function view(s: Session): SessionView {
  return {
    id: s.id,
    user: s.user,
    userName: s.userName,
    connectionId: s.connectionId,
    kind: s.kind,
    detail: s.detail,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    status: s.status,
    bodyBytes: s.bodyBytes,
    indexBytes: s.indexBytes,
    events: s.events,
    counts: s.counts,
  };
}
