/**
 * gateway-core's client of the policy server (policy-server/). Every response is validated with
 * the shared API schemas; every failure becomes a GatehouseError whose message a user can act on.
 * The bearer token comes from the identity provider and is never logged or put in an error.
 */
import type { z } from 'zod';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import {
  ActiveAccess,
  ApiError,
  ApprovalList,
  ApprovalRequest,
  CreatedServiceIdentity,
  Me,
  PolicyVersion,
  ServiceIdentity,
  ServiceIdentityList,
  type ApprovalListQuery,
  type CreateApprovalRequest,
  type CreateServiceIdentity,
} from './policy-server-api.js';

export interface PolicyServerClientOptions {
  /**
   * e.g. http://127.0.0.1:7400 — the server's base URL, without a trailing /v1. A promise when
   * the server is still starting (the demo's); calls wait for it, and fail if it never comes.
   */
  baseUrl: string | Promise<string>;
  accessToken: () => Promise<string | null>;
  /** Demo only: another identity's token (see IdentityProvider.accessTokenFor). */
  accessTokenFor?: (identityId: string) => Promise<string | null>;
  /** Per request; a policy server that does not answer is treated as unreachable. */
  timeoutMs?: number;
}

/** Thrown when the server cannot be reached at all (as opposed to answering with an error). */
export class PolicyServerUnreachable extends GatehouseError {
  constructor(baseUrl: string, cause: string) {
    super('unavailable', `The policy server at ${baseUrl} is unreachable (${cause}); approvals are paused until it is back`);
    this.name = 'PolicyServerUnreachable';
  }
}

export class PolicyServerClient {
  private readonly base: Promise<string>;
  private readonly timeoutMs: number;

  constructor(private readonly options: PolicyServerClientOptions) {
    this.base = Promise.resolve(options.baseUrl).then((url) => url.replace(/\/+$/, ''));
    // A server that failed to start is reported by each call; not as an unhandled rejection.
    this.base.catch(() => undefined);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The server's base URL, once known. */
  async baseUrl(): Promise<string> {
    try {
      return await this.base;
    } catch (err) {
      throw new GatehouseError('unavailable', `The policy server did not start (${err instanceof Error ? err.message : String(err)}); nothing can be approved`);
    }
  }

  me(): Promise<Me> {
    return this.call('GET', '/v1/me', Me);
  }

  currentPolicy(): Promise<PolicyVersion> {
    return this.call('GET', '/v1/policy', PolicyVersion);
  }

  createRequest(body: CreateApprovalRequest): Promise<ApprovalRequest> {
    return this.call('POST', '/v1/approvals', ApprovalRequest, body);
  }

  async listRequests(query: ApprovalListQuery = {}): Promise<ApprovalRequest[]> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size > 0 ? `?${params.toString()}` : '';
    return (await this.call('GET', `/v1/approvals${qs}`, ApprovalList)).requests;
  }

  /** `asIdentity`: read it as that (demo) identity, e.g. the requester, whose view carries the grant. */
  getRequest(id: string, asIdentity?: string): Promise<ApprovalRequest> {
    return this.call('GET', `/v1/approvals/${encodeURIComponent(id)}`, ApprovalRequest, undefined, asIdentity);
  }

  decide(id: string, decision: 'approve' | 'deny', reason: string): Promise<ApprovalRequest> {
    return this.call('POST', `/v1/approvals/${encodeURIComponent(id)}/${decision}`, ApprovalRequest, { reason });
  }

  cancel(id: string): Promise<ApprovalRequest> {
    return this.call('POST', `/v1/approvals/${encodeURIComponent(id)}/cancel`, ApprovalRequest, {});
  }

  /** Spends a grant on the server; a second call for the same grant is refused there (409). */
  consume(id: string, grantId: string, asIdentity?: string): Promise<ApprovalRequest> {
    return this.call('POST', `/v1/approvals/${encodeURIComponent(id)}/consume`, ApprovalRequest, { grantId }, asIdentity);
  }

  async activeAccess(): Promise<ApprovalRequest[]> {
    return (await this.call('GET', '/v1/access/active', ActiveAccess)).requests;
  }

  /** Admins: a new service identity; the answer holds its token, which is never shown again. */
  createServiceIdentity(body: CreateServiceIdentity): Promise<CreatedServiceIdentity> {
    return this.call('POST', '/v1/service-identities', CreatedServiceIdentity, body);
  }

  /** Admins: every service identity, revoked and expired ones included (never their tokens). */
  async listServiceIdentities(): Promise<ServiceIdentity[]> {
    return (await this.call('GET', '/v1/service-identities', ServiceIdentityList)).identities;
  }

  /** Admins: revokes by id; its token is refused from then on (within the server's few-second cache). */
  revokeServiceIdentity(id: string): Promise<ServiceIdentity> {
    return this.call('DELETE', `/v1/service-identities/${encodeURIComponent(id)}`, ServiceIdentity);
  }

  /** The URL of the server's grant-signing keys. */
  async jwksUrl(): Promise<URL> {
    return new URL(`${await this.baseUrl()}/.well-known/jwks.json`);
  }

  /** Opens the per-user event stream; the caller reads and parses the body. */
  async openEventStream(signal: AbortSignal): Promise<Response> {
    const base = await this.baseUrl();
    const headers = await this.headers();
    let res: Response;
    try {
      res = await fetch(`${base}/v1/events`, { headers: { ...headers, accept: 'text/event-stream' }, signal });
    } catch (err) {
      throw new PolicyServerUnreachable(base, describeFetchError(err));
    }
    if (!res.ok || !res.body) throw await this.errorFrom(res);
    return res;
  }

  private async call<S extends z.ZodType>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, schema: S, body?: unknown, asIdentity?: string): Promise<z.output<S>> {
    const base = await this.baseUrl();
    const headers = await this.headers(asIdentity);
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new PolicyServerUnreachable(base, describeFetchError(err));
    }
    if (!res.ok) throw await this.errorFrom(res);
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new GatehouseError('unavailable', `The policy server answered ${method} ${path} with something that is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new GatehouseError('unavailable', `The policy server's answer to ${method} ${path} does not match the API (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    return parsed.data;
  }

  private async headers(asIdentity?: string): Promise<Record<string, string>> {
    const token = asIdentity === undefined ? await this.options.accessToken() : await this.options.accessTokenFor?.(asIdentity);
    if (!token) throw new GatehouseError('forbidden', 'Sign in to reach the policy server');
    return { authorization: `Bearer ${token}` };
  }

  private async errorFrom(res: Response): Promise<GatehouseError> {
    return apiCallError(res.status, await res.json().catch(() => null));
  }
}

/** The error for a policy-server answer with this status and (JSON) body, for every client of its API. */
export function apiCallError(status: number, json: unknown): ApiCallError {
  const body = ApiError.safeParse(json);
  const message = body.success ? body.data.message : `HTTP ${status}`;
  const code = status === 404 ? 'not_found' : status === 401 || status === 403 ? 'forbidden' : status >= 500 ? 'unavailable' : 'invalid_input';
  return new ApiCallError(code, `Policy server: ${message}`, status, body.success ? body.data.code : 'http_error');
}

/** The server answered with an error; `apiCode` is its machine-readable code (e.g. grant_used). */
export class ApiCallError extends GatehouseError {
  constructor(
    code: GatehouseError['code'],
    message: string,
    readonly status: number,
    readonly apiCode: string,
  ) {
    super(code, message);
    this.name = 'ApiCallError';
  }
}

/** Why a request never got an answer, in a word a user can act on (no URL, no token). */
export function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code === 'ECONNREFUSED' ? 'connection refused' : cause.code;
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  return 'network error';
}
