import type { ConnectionSummary } from '../contract/bridge-contract.js';
import type { BridgeHandlers } from './bridge-dispatcher.js';
import { EXTERNAL_URL_ALLOWLIST, isAllowedExternalUrl } from './external-links.js';
import { GatehouseError } from './gatehouse-error.js';
import type { GatewayServices } from './handler-deps.js';

export type CoreHandlers = Pick<BridgeHandlers, 'app.info' | 'app.openExternal' | 'connections.list' | 'identity.get' | 'identity.switch' | 'identity.signIn' | 'identity.signOut'>;

/** Connection summaries as this identity sees them (with access-by-request state, if any). */
export function listConnections(deps: Pick<GatewayServices, 'registry' | 'identity' | 'accessGate'>): ConnectionSummary[] {
  const list = deps.registry.list();
  const gate = deps.accessGate;
  if (!gate) return list;
  const identity = deps.identity.current();
  return list.map((c) => {
    const access = gate.describe(c.id, identity);
    return access ? { ...c, access } : c;
  });
}

/** The host side of the app-level methods. Inputs arrive already validated by the dispatcher. */
export function createCoreHandlers(deps: Pick<GatewayServices, 'appInfo' | 'registry' | 'identity' | 'openExternal' | 'accessGate'>): CoreHandlers {
  return {
    'app.info': async () => deps.appInfo,
    'app.openExternal': async ({ url }) => {
      if (!isAllowedExternalUrl(url)) {
        throw new GatehouseError('forbidden', `Only https links to ${EXTERNAL_URL_ALLOWLIST.join(', ')} can be opened from Gatehouse`);
      }
      // The browser shell has no OS-level opener; it approves the link and the page opens it.
      if (!deps.openExternal) return { opened: false };
      await deps.openExternal(url);
      return { opened: true };
    },
    'connections.list': async () => listConnections(deps),
    'identity.get': async () => deps.identity.state(),
    'identity.switch': async ({ identityId }) => deps.identity.switchTo(identityId),
    'identity.signIn': async () => {
      const { authorizationUrl } = await deps.identity.signIn();
      // The URL is the configured issuer's, built here, so the link allowlist does not apply.
      if (!deps.openExternal) return { authorizationUrl, opened: false };
      await deps.openExternal(authorizationUrl);
      return { authorizationUrl, opened: true };
    },
    'identity.signOut': async () => deps.identity.signOut(),
  };
}
