/**
 * The policy server's recordings API from gateway-core: the upload calls the uploader needs, each
 * made with the token of the identity that owns the recording. Answers are validated with the
 * shared schemas (sessions-api.ts); failures are the same errors as PolicyServerClient's:
 * PolicyServerUnreachable when nothing answers, ApiCallError (with the server's code) otherwise.
 */
import type { z } from 'zod';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import { apiCallError, describeFetchError, PolicyServerUnreachable } from '../approvals/policy-server-client.js';
import {
  OffsetMismatch,
  Session,
  SESSION_STATUS_HEADER,
  SessionList,
  SessionStatus,
  UploadState,
  type CompleteSession,
  type CreateSession,
  type SessionListQuery,
  type UploadPart,
} from './sessions-api.js';

/** What the uploader needs of the server; SessionClient implements it over HTTP. */
export interface SessionTransport {
  /** A bearer token for this identity, or null when none can be had now (not signed in as them). */
  tokenFor(ownerId: string): Promise<string | null>;
  createSession(token: string, id: string, body: CreateSession): Promise<Session>;
  uploadState(token: string, id: string): Promise<UploadState>;
  /** Appends at `offset`; UploadOffsetMismatch when the server holds a different length. */
  append(token: string, id: string, part: UploadPart, offset: number, bytes: Uint8Array): Promise<UploadState>;
  resetUpload(token: string, id: string): Promise<UploadState>;
  complete(token: string, id: string, body: CompleteSession): Promise<Session>;
}

export class UploadOffsetMismatch extends GatehouseError {
  constructor(
    readonly part: UploadPart,
    readonly expectedOffset: number,
    message: string,
  ) {
    super('invalid_input', message);
    this.name = 'UploadOffsetMismatch';
  }
}

export interface SessionClientOptions {
  /** The policy server's base URL (a promise while it starts, as for PolicyServerClient). */
  baseUrl: string | Promise<string>;
  /** The signed-in identity's token, and who that is. */
  accessToken: () => Promise<string | null>;
  currentIdentity: () => string | null;
  /** Another identity's token (the demo's provider offers it); otherwise only the signed-in user's recordings are uploaded. */
  accessTokenFor?: (identityId: string) => Promise<string | null>;
  /** Per request (default 60 s: a chunk is up to 8 MiB). */
  timeoutMs?: number;
}

export class SessionClient implements SessionTransport {
  private readonly base: Promise<string>;
  private readonly timeoutMs: number;

  constructor(private readonly o: SessionClientOptions) {
    this.base = Promise.resolve(o.baseUrl).then((u) => u.replace(/\/+$/, ''));
    this.base.catch(() => undefined);
    this.timeoutMs = o.timeoutMs ?? 60_000;
  }

  async tokenFor(ownerId: string): Promise<string | null> {
    if (this.o.accessTokenFor) return this.o.accessTokenFor(ownerId);
    return this.o.currentIdentity() === ownerId ? this.o.accessToken() : null;
  }

  createSession(token: string, id: string, body: CreateSession): Promise<Session> {
    return this.call(token, 'PUT', this.path(id), Session, { json: body });
  }

  uploadState(token: string, id: string): Promise<UploadState> {
    return this.call(token, 'GET', `${this.path(id)}/upload`, UploadState);
  }

  append(token: string, id: string, part: UploadPart, offset: number, bytes: Uint8Array): Promise<UploadState> {
    return this.call(token, 'PUT', `${this.path(id)}/${part}?offset=${offset}`, UploadState, { bytes });
  }

  resetUpload(token: string, id: string): Promise<UploadState> {
    return this.call(token, 'DELETE', `${this.path(id)}/upload`, UploadState);
  }

  complete(token: string, id: string, body: CompleteSession): Promise<Session> {
    return this.call(token, 'POST', `${this.path(id)}/complete`, Session, { json: body });
  }

  // ---- reading (for the player's host side) ----

  async list(token: string, query: SessionListQuery = {}): Promise<Session[]> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size > 0 ? `?${params.toString()}` : '';
    return (await this.call(token, 'GET', `/v1/sessions${qs}`, SessionList)).sessions;
  }

  get(token: string, id: string): Promise<Session> {
    return this.call(token, 'GET', this.path(id), Session);
  }

  /**
   * Bytes of a session's recording or index: all of it, or `[start, end]` (inclusive) with HTTP
   * Range. Reading the body from byte 0 is an audited replay on the server. `status` is
   * 'uploading' for a live session (`total` is what the server holds now), null from a server
   * that does not say. A range starting at or past the end is no bytes (not an error) when the
   * server says its size and status.
   */
  async read(
    token: string,
    id: string,
    part: UploadPart,
    range?: { start: number; end?: number },
  ): Promise<{ bytes: Buffer; start: number; total: number; status: SessionStatus | null }> {
    const base = await this.base.catch((err: unknown) => {
      throw new PolicyServerUnreachable('(not started)', err instanceof Error ? err.message : String(err));
    });
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (range) headers.range = `bytes=${range.start}-${range.end ?? ''}`;
    let res: Response;
    try {
      res = await fetch(`${base}${this.path(id)}/${part}`, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new PolicyServerUnreachable(base, describeFetchError(err));
    }
    const said = SessionStatus.safeParse(res.headers.get(SESSION_STATUS_HEADER));
    const status = said.success ? said.data : null;
    // Nothing at or after the range's start: the end of what the server holds, which a live
    // player polling from there hits every second; the size and status come with the 416.
    const size = res.status === 416 && range && status ? /^bytes \*\/(\d+)$/.exec(res.headers.get('content-range') ?? '') : null;
    if (size && range && Number(size[1]) <= range.start) {
      await res.body?.cancel();
      return { bytes: Buffer.alloc(0), start: range.start, total: Number(size[1]), status };
    }
    if (!res.ok) throw apiCallError(res.status, await res.json().catch(() => null));
    const bytes = Buffer.from(await res.arrayBuffer());
    const m = /^bytes (\d+)-\d+\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
    return m ? { bytes, start: Number(m[1]), total: Number(m[2]), status } : { bytes, start: 0, total: bytes.length, status };
  }

  private path(id: string): string {
    return `/v1/sessions/${encodeURIComponent(id)}`;
  }

  private async call<S extends z.ZodType>(token: string, method: string, path: string, schema: S, send: { json?: unknown; bytes?: Uint8Array } = {}): Promise<z.output<S>> {
    let base: string;
    try {
      base = await this.base;
    } catch (err) {
      throw new PolicyServerUnreachable('(not started)', err instanceof Error ? err.message : String(err));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (send.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(send.json);
    } else if (send.bytes) {
      headers['content-type'] = 'application/octet-stream';
      // A view of the same memory, typed as fetch wants it (never a SharedArrayBuffer here).
      body = new Uint8Array(send.bytes.buffer as ArrayBuffer, send.bytes.byteOffset, send.bytes.byteLength);
    }
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new PolicyServerUnreachable(base, describeFetchError(err));
    }
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const mismatch = OffsetMismatch.safeParse(json);
      if (res.status === 409 && mismatch.success) throw new UploadOffsetMismatch(path.includes('/index?') ? 'index' : 'body', mismatch.data.expectedOffset, `Policy server: ${mismatch.data.message}`);
      throw apiCallError(res.status, json);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new GatehouseError('unavailable', `The policy server's answer to ${method} ${path.split('?')[0] ?? path} does not match the API (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    return parsed.data;
  }
}
