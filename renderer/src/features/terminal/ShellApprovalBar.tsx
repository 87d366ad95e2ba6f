import type { GuardNotice } from '@gatehouse/gateway-core/contract';
import { useState } from 'react';
import { JustificationForm } from '../approvals/JustificationForm';
import { PendingCard } from '../approvals/PendingCard';
import { PolicyServerNote } from '../approvals/PolicyServerNote';
import { useApprovalsStore } from '../approvals/use-approvals';

export interface HeldLine {
  terminalId: string;
  notice: GuardNotice & { heldId: string };
}

/**
 * A line the guard held for approval ("approve" rule): what was held and why, a justification,
 * and Request approval; then the request's live state. On approval gateway-core sends exactly
 * the held line, once; if this session is gone by then, the outcome says so and nothing runs.
 */
export function ShellApprovalBar({ held, onClose }: { held: HeldLine; onClose: () => void }) {
  const store = useApprovalsStore();
  const [requestId, setRequestId] = useState<string | null>(null);
  const { notice } = held;

  const what = (
    <span className="terminal-banner-text">
      {notice.command && (
        <code className="held-command" data-testid="terminal-held-command">
          {notice.command}
        </code>
      )}{' '}
      {notice.reason}
      {notice.rule && (
        <>
          {' '}
          · rule <code data-testid="terminal-guard-rule">{notice.rule}</code>
        </>
      )}
    </span>
  );

  if (requestId) {
    return (
      <div className="terminal-approval" data-testid="terminal-approval-bar" data-held-id={notice.heldId}>
        <PendingCard requestId={requestId} onDismiss={onClose} testId="terminal-approval-card">
          <div className="approval-card-body">{what}</div>
        </PendingCard>
      </div>
    );
  }

  return (
    <section className="terminal-approval terminal-banner danger" aria-label="Held command" data-testid="terminal-approval-bar" data-held-id={notice.heldId}>
      <div className="terminal-approval-head">
        <span>
          <strong>Needs approval, held — not run.</strong> {what}
        </span>
        <button type="button" className="terminal-icon-button" aria-label="Dismiss held command" onClick={onClose}>
          ×
        </button>
      </div>
      <PolicyServerNote />
      <JustificationForm
        compact
        onSubmit={async (justification) => {
          const r = await store.request({ kind: 'shell', terminalId: held.terminalId, heldId: notice.heldId, justification });
          if ('error' in r) return `Could not request approval: ${r.error.message}`;
          setRequestId(r.ok.id);
          return null;
        }}
      />
    </section>
  );
}
