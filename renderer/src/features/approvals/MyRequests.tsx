import type { ApprovalView } from '@gatehouse/gateway-core/contract';
import { PendingCard } from './PendingCard';
import { RequestSummary } from './RequestSummary';

/**
 * The signed-in user's own requests. Never Approve/Deny here: the server refuses self-approval,
 * and the UI does not offer it. Pending ones can be cancelled.
 */
export function MyRequests({ requests, now }: { requests: ApprovalView[]; now: number }) {
  if (requests.length === 0) return <p className="empty-note">You have not asked for anything yet.</p>;
  return (
    <ul className="mine-list">
      {requests.map((r) => (
        <li key={r.id} data-testid="my-request" data-request-id={r.id} data-status={r.status}>
          <PendingCard requestId={r.id} testId="my-request-card">
            <RequestSummary request={r} now={now} />
          </PendingCard>
        </li>
      ))}
    </ul>
  );
}
