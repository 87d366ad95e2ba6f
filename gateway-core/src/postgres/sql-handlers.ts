import type { BridgeHandlers } from '../bridge/bridge-dispatcher.js';
import type { FeatureHandlers, GatewayServices } from '../bridge/handler-deps.js';
import { initSqlGuard } from '../policy/sql/index.js';
import { SqlBroker, type BrokerOptions } from './sql-broker.js';

export type SqlHandlers = Pick<
  BridgeHandlers,
  'sql.open' | 'sql.run' | 'sql.fetch' | 'sql.cancel' | 'sql.close' | 'sql.schema' | 'sql.history' | 'sql.exportCsv'
>;

/**
 * The SQL editor's host side: sessions brokered by gateway-core (see sql-broker.ts). The guard's
 * parser (WASM) starts loading with the gateway; a run waits for it rather than failing.
 */
export function createSqlHandlers(
  deps: Pick<GatewayServices, 'registry' | 'secrets' | 'identity' | 'policy' | 'logger' | 'accessGate' | 'recordings'>,
  options: BrokerOptions = {},
): FeatureHandlers<SqlHandlers> & { broker: SqlBroker } {
  const guardReady = initSqlGuard();
  // A failed load is reported by the first run that needs the guard, not as an unhandled rejection.
  guardReady.catch((err: unknown) => deps.logger.error({ err }, 'SQL guard failed to load'));
  const broker = new SqlBroker(deps, options);
  // Sessions belong to the identity that opened them; switching identity closes them.
  const unsubscribe = deps.identity.onChange((state) => void broker.closeOthers(state.current?.id ?? null));
  const guarded = async <T>(fn: () => Promise<T>): Promise<T> => {
    await initSqlGuard();
    return fn();
  };
  return {
    broker,
    handlers: {
      'sql.open': ({ connectionId }) => guarded(() => broker.open(connectionId)),
      'sql.run': ({ sessionId, text }) => guarded(() => broker.run(sessionId, text)),
      'sql.fetch': ({ queryId, maxRows }) => broker.fetch(queryId, maxRows),
      'sql.cancel': ({ sessionId }) => broker.cancel(sessionId),
      'sql.close': ({ sessionId }) => broker.close(sessionId),
      'sql.schema': ({ connectionId }) => broker.schema(connectionId),
      'sql.history': async (filter) => broker.historyFor(filter),
      'sql.exportCsv': ({ sessionId, text }) => guarded(() => broker.exportCsv(sessionId, text)),
    },
    close: async () => {
      unsubscribe();
      await broker.closeAll();
    },
  };
}
