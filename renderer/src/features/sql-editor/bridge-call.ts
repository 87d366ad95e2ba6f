import type { BridgeError, BridgeResult } from '@gatehouse/gateway-core/contract';

/** A bridge failure in words a support engineer can act on; the host's message is already safe. */
export function plainError(error: BridgeError, doing: string): string {
  return error.code === 'forbidden' ? `Not allowed to ${doing}: ${error.message}` : `Could not ${doing}: ${error.message}`;
}

/** Turns `{ok}|{error}` into a value or a thrown plain-worded Error, for linear async code. */
export async function call<T>(result: Promise<BridgeResult<T>>, doing: string): Promise<T> {
  const r = await result;
  if ('error' in r) throw new BridgeFailure(r.error, plainError(r.error, doing));
  return r.ok;
}

export class BridgeFailure extends Error {
  constructor(
    readonly bridgeError: BridgeError,
    message: string,
  ) {
    super(message);
  }
}

export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
