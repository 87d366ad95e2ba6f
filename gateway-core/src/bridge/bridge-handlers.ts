import type { AppInfo } from '../contract/bridge-contract.js';
import type { ConnectionRegistry } from '../connections/connection-registry.js';
import type { IdentityProvider } from '../identity/identity-provider.js';
import type { BridgeHandlers } from './bridge-dispatcher.js';

export interface BridgeHandlerDeps {
  appInfo: AppInfo;
  registry: Pick<ConnectionRegistry, 'list'>;
  identity: Pick<IdentityProvider, 'state' | 'switchTo'>;
}

/** The host side of every contract method. Inputs arrive already validated by the dispatcher. */
export function createBridgeHandlers(deps: BridgeHandlerDeps): BridgeHandlers {
  return {
    'app.info': async () => deps.appInfo,
    'connections.list': async () => deps.registry.list(),
    'identity.get': async () => deps.identity.state(),
    'identity.switch': async ({ identityId }) => deps.identity.switchTo(identityId),
  };
}
