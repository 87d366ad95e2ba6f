import { z } from 'zod';
import {
  bridgeMethods,
  isBridgeMethodName,
  type BridgeInput,
  type BridgeMethodName,
  type BridgeOutput,
  type BridgeResult,
} from '../contract/bridge-contract.js';
import type { Logger } from '../logging/logger.js';
import { GatehouseError } from './gatehouse-error.js';

export type BridgeHandlers = {
  [M in BridgeMethodName]: (input: z.output<(typeof bridgeMethods)[M]['input']>) => Promise<BridgeOutput<M>>;
};

/**
 * The one wrapper every transport calls: it validates the method name and input, runs the
 * handler, validates the output against the contract, and turns every failure into
 * `{error: {code, message}}` so nothing is thrown across the bridge.
 */
export class BridgeDispatcher {
  constructor(
    private readonly handlers: BridgeHandlers,
    private readonly logger: Logger,
  ) {}

  async dispatch(method: unknown, rawInput: unknown): Promise<BridgeResult<unknown>> {
    if (!isBridgeMethodName(method)) {
      return { error: { code: 'unknown_method', message: `Unknown method: ${String(method).slice(0, 100)}` } };
    }
    const spec = bridgeMethods[method];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return { error: { code: 'invalid_input', message: `Invalid input for ${method}: ${z.prettifyError(parsed.error)}` } };
    }
    try {
      const handler = this.handlers[method] as (input: unknown) => Promise<unknown>;
      const output = spec.output.parse(await handler(parsed.data));
      return { ok: output };
    } catch (err) {
      if (err instanceof GatehouseError) return { error: { code: err.code, message: err.message } };
      // The raw error may echo a connection string or a driver message; it goes to the log
      // (which redacts secrets), never to the renderer.
      this.logger.error({ method, err }, 'bridge handler failed');
      return { error: { code: 'internal', message: `Internal error in ${method}; see the Gatehouse log for details.` } };
    }
  }

  /** Typed convenience for in-process callers (the CLI, tests). */
  async call<M extends BridgeMethodName>(method: M, input: BridgeInput<M>): Promise<BridgeResult<BridgeOutput<M>>> {
    return (await this.dispatch(method, input)) as BridgeResult<BridgeOutput<M>>;
  }
}
