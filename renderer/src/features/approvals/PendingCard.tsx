import { useState, type ReactNode } from 'react';
import { formatAge, statusText } from './approval-format';
import { useApproval, useApprovalsStore, useNow } from './use-approvals';

/**
 * A request the user made, followed live (approvals.changed, filtered by id): its id, status,
 * age, Cancel while pending, Dismiss once settled. `children` says what the request is for.
 */
export function PendingCard({ requestId, onDismiss, children, testId = 'approval-card' }: { requestId: string; onDismiss?: () => void; children?: ReactNode; testId?: string }) {
  const request = useApproval(requestId);
  const store = useApprovalsStore();
  const now = useNow();
  const [error, setError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  // Unknown: the store was reloaded for another identity, which cannot see this request.
  const status = request?.status ?? 'unknown';
  const settled = request !== null && status !== 'pending' && !(status === 'approved' && request.kind !== 'access' && !request.outcome);

  const cancel = async (): Promise<void> => {
    setCancelling(true);
    const r = await store.cancel(requestId);
    setCancelling(false);
    setError('error' in r ? `Could not cancel: ${r.error.message}` : null);
  };

  return (
    <section className={`approval-card approval-${status}`} aria-label="Approval request" data-testid={testId} data-request-id={requestId} data-status={status}>
      <div className="approval-card-head">
        <span className="approval-card-title">
          Request <code data-testid="approval-request-id">{requestId}</code>
        </span>
        <span className="approval-status" role="status" data-testid="approval-status" data-status={status}>
          {request ? statusText(request) : 'Status not available to the current identity'}
        </span>
        {request && <span className="muted approval-age">asked {formatAge(request.createdAt, now)} ago</span>}
        <span className="toolbar-spacer" />
        {status === 'pending' && (
          <button type="button" className="small-button" onClick={() => void cancel()} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel request'}
          </button>
        )}
        {(settled || request === null) && onDismiss && (
          <button type="button" className="small-button" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      {children}
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}
