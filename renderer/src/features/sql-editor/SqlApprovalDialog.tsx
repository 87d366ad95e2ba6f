import { ApprovalDialog } from '../approvals/ApprovalDialog';
import { JustificationForm } from '../approvals/JustificationForm';
import { PolicyServerNote } from '../approvals/PolicyServerNote';
import type { HeldStatement } from './use-sql-approval';

/**
 * Asks approval for exactly the statement that was held. The text is shown read-only: the
 * approval is bound to its hash on the server, so what is shown is what will run, once.
 */
export function SqlApprovalDialog({ held, onSubmit, onCancel }: { held: HeldStatement; onSubmit: (justification: string) => Promise<string | null>; onCancel: () => void }) {
  const { refusal, text } = held;
  return (
    <ApprovalDialog label="Request approval" title="Request approval to run this statement" onCancel={onCancel}>
      <PolicyServerNote />
      <p className="dialog-text">{refusal.reason}</p>
      <dl className="approval-facts">
        <dt>Class</dt>
        <dd data-testid="approval-class">{refusal.class ?? 'unclassified'}</dd>
        <dt>Rule</dt>
        <dd data-testid="approval-rule">{refusal.rule}</dd>
      </dl>
      <div className="field-label">Statement</div>
      <pre className="approval-action" tabIndex={0} aria-label="Statement" data-testid="approval-statement">
        {text}
      </pre>
      <p className="field-hint">Once approved, exactly this text runs once, in a read-write transaction for this statement only.</p>
      <JustificationForm onSubmit={onSubmit} onCancel={onCancel} />
    </ApprovalDialog>
  );
}
