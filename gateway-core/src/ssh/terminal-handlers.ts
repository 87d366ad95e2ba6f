import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { BridgeHandlers } from '../bridge/bridge-dispatcher.js';
import type { FeatureHandlers, GatewayServices } from '../bridge/handler-deps.js';

export type TerminalHandlers = Pick<BridgeHandlers, 'terminal.open' | 'terminal.input' | 'terminal.resize' | 'terminal.close' | 'terminal.acceptHostKey'>;

/** The terminal's host side: shells brokered by gateway-core (placeholder until the broker lands). */
export function createTerminalHandlers(
  _deps: Pick<GatewayServices, 'registry' | 'secrets' | 'identity' | 'policy' | 'events' | 'logger'>,
): FeatureHandlers<TerminalHandlers> {
  const notYet = async (): Promise<never> => {
    throw new GatehouseError('unavailable', 'The terminal is not available yet');
  };
  return {
    handlers: {
      'terminal.open': notYet,
      'terminal.input': notYet,
      'terminal.resize': notYet,
      'terminal.close': notYet,
      'terminal.acceptHostKey': notYet,
    },
    close: async () => undefined,
  };
}
