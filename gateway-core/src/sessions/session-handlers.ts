import type { BridgeHandlers } from '../bridge/bridge-dispatcher.js';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { SessionReader } from './session-reader.js';

export type SessionHandlers = Pick<BridgeHandlers, 'sessions.list' | 'sessions.get' | 'sessions.read'>;

/** Without a policy server there is nowhere recordings are kept for replay. */
export function createOfflineSessionHandlers(): SessionHandlers {
  const none = (): never => {
    throw new GatehouseError('unavailable', 'Recorded sessions are kept on the policy server, and none is configured');
  };
  return {
    'sessions.list': async () => none(),
    'sessions.get': async () => none(),
    'sessions.read': async () => none(),
  };
}

/** Recorded sessions from the policy server; it decides who may list and read which. */
export function createSessionHandlers(reader: SessionReader): SessionHandlers {
  return {
    'sessions.list': async (filter) => ({ sessions: await reader.list(filter) }),
    'sessions.get': ({ sessionId }) => reader.get(sessionId),
    'sessions.read': ({ sessionId, part, offset, maxBytes }) => reader.read(sessionId, part, offset, maxBytes),
  };
}
