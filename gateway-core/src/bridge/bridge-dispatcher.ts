import { z } from 'zod';
import {
  bridgeMethods,
  isBridgeMethodName,
  type BridgeInput,
  type BridgeMethodName,
  type BridgeOutput,
  type BridgeResult,
} from '../contract/bridge-contract.js';
import { checkMaskedRows } from '../contract/sql-schemas.js';
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
      const output = validateOutput(method, spec.output, await handler(parsed.data));
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

/** Output that breaks the contract: logged and reported like any unexpected handler failure. */
class ContractViolation extends Error {}

/**
 * Validates a handler's output against the contract. Result rows (sql.run, sql.fetch) are
 * detached, checked by checkMaskedRows (per cell, stricter than zod and without copying every
 * cell), and put back into zod's output; everything else, the envelope included, goes through
 * zod as for every other method.
 */
function validateOutput(method: BridgeMethodName, schema: z.ZodType, output: unknown): unknown {
  if (method === 'sql.fetch' && isRecord(output) && Array.isArray(output.rows)) {
    const parsed = schema.parse({ ...output, rows: [] }) as { rows: unknown };
    parsed.rows = rowsOrThrow(output.rows);
    return parsed;
  }
  if (method === 'sql.run' && isRecord(output) && Array.isArray(output.results)) {
    const results = output.results as unknown[];
    const pages = results.map((r) => (isRecord(r) && Array.isArray(r.rows) ? r.rows : undefined));
    const shallow = { ...output, results: results.map((r, i) => (pages[i] === undefined ? r : { ...(r as object), rows: [] })) };
    const parsed = schema.parse(shallow) as { results: { rows?: unknown }[] };
    parsed.results.forEach((r, i) => {
      // Only where the contract has a rows field (status 'rows'); elsewhere zod dropped it.
      if (pages[i] !== undefined && 'rows' in r) r.rows = rowsOrThrow(pages[i]);
    });
    return parsed;
  }
  return schema.parse(output);
}

function rowsOrThrow(rows: unknown): unknown {
  const checked = checkMaskedRows(rows);
  if (!checked) throw new ContractViolation('result rows break the contract: each cell must be exactly {v: string | null, m?: string}');
  return checked;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
