import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { BridgeHandlers } from '../bridge/bridge-dispatcher.js';
import type { FeatureHandlers, GatewayServices } from '../bridge/handler-deps.js';

export type SqlHandlers = Pick<
  BridgeHandlers,
  'sql.open' | 'sql.run' | 'sql.fetch' | 'sql.cancel' | 'sql.close' | 'sql.schema' | 'sql.history' | 'sql.exportCsv'
>;

/** The SQL editor's host side: sessions brokered by gateway-core (placeholder until the broker lands). */
export function createSqlHandlers(_deps: Pick<GatewayServices, 'registry' | 'secrets' | 'identity' | 'policy' | 'logger'>): FeatureHandlers<SqlHandlers> {
  const notYet = async (): Promise<never> => {
    throw new GatehouseError('unavailable', 'The SQL editor is not available yet');
  };
  return {
    handlers: {
      'sql.open': notYet,
      'sql.run': notYet,
      'sql.fetch': notYet,
      'sql.cancel': notYet,
      'sql.close': notYet,
      'sql.schema': notYet,
      'sql.history': notYet,
      'sql.exportCsv': notYet,
    },
    close: async () => undefined,
  };
}
