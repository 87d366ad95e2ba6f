import type { ApprovalView } from '@gatehouse/gateway-core/contract';
import { useState } from 'react';
import { KIND_LABEL, finalDecision, statusText, when } from './approval-format';
import { RequestSummary } from './RequestSummary';

/** Decided requests, newest first: status, who decided, their reason, when; details on demand. */
export function HistoryList({ requests, now }: { requests: ApprovalView[]; now: number }) {
  const [open, setOpen] = useState<string | null>(null);
  if (requests.length === 0) return <p className="empty-note">Nothing decided yet.</p>;
  return (
    <table className="history-table" data-testid="approvals-history">
      <thead>
        <tr>
          <th scope="col">Request</th>
          <th scope="col">Status</th>
          <th scope="col">Decided by</th>
          <th scope="col">Reason</th>
          <th scope="col">When</th>
        </tr>
      </thead>
      <tbody>
        {requests.map((r) => {
          const d = finalDecision(r);
          const expanded = open === r.id;
          return [
            <tr key={r.id} data-testid="history-row" data-request-id={r.id} data-status={r.status}>
              <td>
                <button type="button" className="link-button" aria-expanded={expanded} onClick={() => setOpen(expanded ? null : r.id)}>
                  {KIND_LABEL[r.kind]} from {r.requesterName}
                </button>
              </td>
              <td className={`history-status approval-${r.status}`}>{statusText(r)}</td>
              <td>{d?.byName ?? '—'}</td>
              <td className="history-reason">{d?.reason || '—'}</td>
              <td>{when(r.decidedAt ?? d?.at ?? r.createdAt)}</td>
            </tr>,
            expanded && (
              <tr key={`${r.id}-details`} className="history-details">
                <td colSpan={5}>
                  <RequestSummary request={r} now={now} />
                </td>
              </tr>
            ),
          ];
        })}
      </tbody>
    </table>
  );
}
