import type { BridgeHandlers } from './bridge-dispatcher.js';
import type { GatewayServices } from './handler-deps.js';

export type CoreHandlers = Pick<BridgeHandlers, 'app.info' | 'connections.list' | 'identity.get' | 'identity.switch'>;

/** The host side of the app-level methods. Inputs arrive already validated by the dispatcher. */
export function createCoreHandlers(deps: Pick<GatewayServices, 'appInfo' | 'registry' | 'identity'>): CoreHandlers {
  return {
    'app.info': async () => deps.appInfo,
    'connections.list': async () => deps.registry.list(),
    'identity.get': async () => deps.identity.state(),
    'identity.switch': async ({ identityId }) => deps.identity.switchTo(identityId),
  };
}
