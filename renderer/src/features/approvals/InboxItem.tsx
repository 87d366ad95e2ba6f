import type { ApprovalView } from '@gatehouse/gateway-core/contract';
import { useId, useState } from 'react';
import { RequestSummary } from './RequestSummary';
import { useApprovalsStore } from './use-approvals';

/** One pending request someone else made: its details, a reason, Approve and Deny. */
export function InboxItem({ request, now }: { request: ApprovalView; now: number }) {
  const store = useApprovalsStore();
  const id = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<'approve' | 'deny' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const approvals = request.decisions.filter((d) => d.decision === 'approve');

  const decide = async (decision: 'approve' | 'deny'): Promise<void> => {
    if (decision === 'deny' && !reason.trim()) {
      setError('Say why it is denied: the requester sees this reason.');
      return;
    }
    setBusy(decision);
    setError(null);
    const r = await store.decide(request.id, decision, reason.trim());
    setBusy(null);
    if ('error' in r) setError(`Could not ${decision}: ${r.error.message}`);
  };

  return (
    <li className="inbox-item" aria-label={`Request ${request.id} from ${request.requesterName}`} data-testid="inbox-item" data-request-id={request.id} data-kind={request.kind}>
      <RequestSummary request={request} now={now} />
      {request.requiredApprovals > 1 && (
        <p className="field-hint">
          {approvals.length} of {request.requiredApprovals} approvals
          {approvals.length > 0 && ` (${approvals.map((d) => d.byName).join(', ')})`}
        </p>
      )}
      <div className="decide-row">
        <label className="field-label" htmlFor={`${id}-reason`}>
          Reason
        </label>
        <input
          id={`${id}-reason`}
          className="field-input"
          value={reason}
          maxLength={2000}
          placeholder="Shown to the requester and kept in the audit log"
          onChange={(e) => setReason(e.target.value)}
        />
        <button type="button" className="primary-button approve-button" disabled={busy !== null} onClick={() => void decide('approve')}>
          {busy === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" className="small-button deny-button" disabled={busy !== null} onClick={() => void decide('deny')}>
          {busy === 'deny' ? 'Denying…' : 'Deny'}
        </button>
      </div>
      {error && (
        <div className="form-error" role="alert" data-testid="inbox-error">
          {error}
        </div>
      )}
    </li>
  );
}
