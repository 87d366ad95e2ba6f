import type { BridgeHandlers } from '../bridge/bridge-dispatcher.js';
import { GatehouseError } from '../bridge/gatehouse-error.js';

export type ApprovalHandlers = Pick<BridgeHandlers, 'approvals.request' | 'approvals.list' | 'approvals.decide' | 'approvals.cancel' | 'approvals.status'>;

/** Without a policy server nothing can be approved, so every held action stays held. */
export function createOfflineApprovalHandlers(): ApprovalHandlers {
  const none = (): never => {
    throw new GatehouseError('unavailable', 'No policy server is configured, so nothing can be approved; held actions do not run');
  };
  return {
    'approvals.request': async () => none(),
    'approvals.list': async () => ({ requests: [] }),
    'approvals.decide': async () => none(),
    'approvals.cancel': async () => none(),
    'approvals.status': async () => ({ state: 'none' as const, detail: 'No policy server is configured' }),
  };
}
