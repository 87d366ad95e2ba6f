import type { PolicyServerStatus } from '@gatehouse/gateway-core/contract';
import { hhmm } from './approval-format';
import { usePolicyServerStatus } from './use-approvals';

export function unreachableText(status: PolicyServerStatus): string {
  const reads = status.readsAllowedUntil ? `; reads allowed until ${hhmm(status.readsAllowedUntil)}` : '';
  return `Policy server unreachable — approvals paused, retrying${reads}`;
}

/**
 * The policy server's state where an approval is being asked for: unreachable (retrying), not
 * configured, or still connecting. Nothing when it is connected or the host has not said.
 */
export function PolicyServerNote() {
  const status = usePolicyServerStatus();
  if (!status || status.state === 'connected') return null;
  const text =
    status.state === 'unreachable'
      ? unreachableText(status)
      : status.state === 'none'
        ? 'No policy server configured — nothing can be approved, so held actions stay held.'
        : 'Connecting to the policy server…';
  return (
    <div className={`policy-note policy-${status.state}`} role={status.state === 'connecting' ? 'status' : 'alert'} data-testid="policy-server-note" data-state={status.state}>
      {text}
      {status.detail && status.state === 'unreachable' && <span className="muted"> ({status.detail})</span>}
    </div>
  );
}

/** App-wide: only the unreachable state is worth a banner outside a request (approvals are paused). */
export function PolicyServerBanner() {
  const status = usePolicyServerStatus();
  if (status?.state !== 'unreachable') return null;
  return (
    <div className="policy-banner" role="alert" data-testid="policy-server-banner">
      {unreachableText(status)}
    </div>
  );
}
