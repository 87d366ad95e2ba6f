import type { BridgeErrorCode } from '../contract/bridge-contract.js';

/**
 * An error whose message is safe to show a user. Anything else that escapes a handler is
 * reported as 'internal' with a generic message, because its text may carry a secret.
 */
export class GatehouseError extends Error {
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GatehouseError';
  }
}
