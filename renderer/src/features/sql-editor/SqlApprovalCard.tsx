import { PendingCard } from '../approvals/PendingCard';

/**
 * The tab's pending request: live status, age, Cancel. It names the exact statement, because
 * that text, and only that text, is what runs if approved; an edit in the editor is a new statement.
 */
export function SqlApprovalCard({ requestId, text, onDismiss }: { requestId: string; text: string; onDismiss: () => void }) {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return (
    <div className="sql-approval-slot">
      <PendingCard requestId={requestId} onDismiss={onDismiss}>
        <div className="approval-card-body">
          <code className="approval-card-action" title={text}>
            {oneLine.length > 160 ? `${oneLine.slice(0, 157)}…` : oneLine}
          </code>
          <span className="muted">Runs exactly this text, once. Editing it in the editor needs a new request.</span>
        </div>
      </PendingCard>
    </div>
  );
}
