/**
 * The whole bridge API between the renderer and the host, in one place.
 *
 * Both transports (Electron IPC and the browser shell's WebSocket) carry exactly these
 * methods and events; the host validates every input against these schemas before a
 * handler sees it. The renderer may import this module for types only.
 */
import { z } from 'zod';
import { localPortsEvents, localPortsMethods } from './local-ports-schemas.js';
import { recordingsEvents, recordingsMethods } from './recordings-schemas.js';
import { approvalsEvents, approvalsMethods } from './approvals-schemas.js';
import { sessionsMethods } from './sessions-schemas.js';
import { sqlMethods } from './sql-schemas.js';
import { terminalEvents, terminalMethods } from './terminal-schemas.js';

export const ConnectionType = z.enum(['postgres', 'ssh']);
export type ConnectionType = z.infer<typeof ConnectionType>;

export const ConnectionStatus = z.enum(['starting', 'ready', 'unreachable', 'unknown']);
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

/** What the UI may know about a connection: never a host secret, never a credential. */
export const ConnectionSummary = z.object({
  id: z.string(),
  name: z.string(),
  type: ConnectionType,
  status: ConnectionStatus,
  /** host:port or host/database, for display only. */
  target: z.string(),
  description: z.string().optional(),
  statusDetail: z.string().optional(),
  /**
   * Policy marks this connection "access by request" for the current user: it opens only while an
   * approved access request is in force (`grantedUntil`), and sessions close at that time.
   */
  access: z.object({ byRequest: z.literal(true), grantedUntil: z.string().optional(), maxDurationMinutes: z.number().int() }).optional(),
});
export type ConnectionSummary = z.infer<typeof ConnectionSummary>;

export const Identity = z.object({
  id: z.string(),
  displayName: z.string(),
  email: z.string().optional(),
  roles: z.array(z.string()),
});
export type Identity = z.infer<typeof Identity>;

export const IdentityState = z.object({
  /** 'demo' identities are switchable; 'oidc' comes with sign-in; 'service' is a fixed agent identity (a policy-server token). */
  provider: z.enum(['demo', 'oidc', 'service']),
  /** OIDC only: the issuer signed in with (or to sign in with). */
  issuer: z.string().optional(),
  /** OIDC only: a sign-in is waiting for the browser to come back. */
  signingIn: z.boolean().optional(),
  current: Identity.nullable(),
  switchable: z.array(Identity),
});
export type IdentityState = z.infer<typeof IdentityState>;

export const AppInfo = z.object({
  version: z.string(),
  mode: z.enum(['demo', 'configured']),
  shell: z.enum(['electron', 'browser']),
});
export type AppInfo = z.infer<typeof AppInfo>;

const NoInput = z.object({}).strict();

export const bridgeMethods = {
  'app.info': { input: NoInput, output: AppInfo },
  /** Opens an allowlisted https link in the OS browser; `opened: false` means the page may open it itself. */
  'app.openExternal': { input: z.object({ url: z.string().min(1).max(2048) }).strict(), output: z.object({ opened: z.boolean() }) },
  'connections.list': { input: NoInput, output: z.array(ConnectionSummary) },
  'identity.get': { input: NoInput, output: IdentityState },
  'identity.switch': { input: z.object({ identityId: z.string().min(1).max(200) }).strict(), output: IdentityState },
  /**
   * OIDC: starts Authorization Code + PKCE with a loopback redirect. The host opens the URL in the
   * system browser; `opened: false` means the page should open it itself (browser shell).
   */
  'identity.signIn': { input: NoInput, output: z.object({ authorizationUrl: z.string(), opened: z.boolean() }) },
  /** Forgets every token; the state is signed out afterwards. */
  'identity.signOut': { input: NoInput, output: IdentityState },
  ...sqlMethods,
  ...approvalsMethods,
  ...sessionsMethods,
  ...terminalMethods,
  ...localPortsMethods,
  ...recordingsMethods,
} as const;

export const bridgeEvents = {
  'connections.changed': z.array(ConnectionSummary),
  'identity.changed': IdentityState,
  ...terminalEvents,
  ...approvalsEvents,
  ...localPortsEvents,
  ...recordingsEvents,
} as const;

export type BridgeMethods = typeof bridgeMethods;
export type BridgeMethodName = keyof BridgeMethods;
export type BridgeInput<M extends BridgeMethodName> = z.input<BridgeMethods[M]['input']>;
export type BridgeOutput<M extends BridgeMethodName> = z.output<BridgeMethods[M]['output']>;

export type BridgeEvents = typeof bridgeEvents;
export type BridgeEventName = keyof BridgeEvents;
export type BridgeEventPayload<E extends BridgeEventName> = z.output<BridgeEvents[E]>;

export const BridgeErrorCode = z.enum([
  'invalid_input',
  'unknown_method',
  'not_found',
  'forbidden',
  'unavailable',
  'internal',
]);
export type BridgeErrorCode = z.infer<typeof BridgeErrorCode>;

export const BridgeError = z.object({ code: BridgeErrorCode, message: z.string() });
export type BridgeError = z.infer<typeof BridgeError>;

/** Every call answers with exactly one of these; nothing is thrown across the bridge. */
export type BridgeResult<T> = { ok: T } | { error: BridgeError };

export const bridgeMethodNames = Object.keys(bridgeMethods) as BridgeMethodName[];
export const bridgeEventNames = Object.keys(bridgeEvents) as BridgeEventName[];

export function isBridgeMethodName(name: unknown): name is BridgeMethodName {
  return typeof name === 'string' && Object.hasOwn(bridgeMethods, name);
}

export function isBridgeEventName(name: unknown): name is BridgeEventName {
  return typeof name === 'string' && Object.hasOwn(bridgeEvents, name);
}

/** The object the renderer sees as `window.gatehouse`, whichever shell it runs in. */
export interface GatehouseBridge {
  invoke<M extends BridgeMethodName>(method: M, input: BridgeInput<M>): Promise<BridgeResult<BridgeOutput<M>>>;
  subscribe<E extends BridgeEventName>(event: E, listener: (payload: BridgeEventPayload<E>) => void): () => void;
}
