import type { ConnectionSummary } from '@gatehouse/gateway-core/contract';
import { useId, useState } from 'react';
import { ApprovalDialog } from '../approvals/ApprovalDialog';
import { durationChoices, durationLabel } from '../approvals/approval-format';
import { JustificationForm } from '../approvals/JustificationForm';
import { PendingCard } from '../approvals/PendingCard';
import { PolicyServerNote } from '../approvals/PolicyServerNote';
import { useApprovalsStore } from '../approvals/use-approvals';

type Access = NonNullable<ConnectionSummary['access']>;

/**
 * Time-boxed access to a connection that policy marks "by request": a duration up to the
 * policy's maximum and a justification. Shows the pending request instead when there is one.
 */
export function AccessRequestDialog({
  connection,
  access,
  pendingId,
  onClose,
}: {
  connection: ConnectionSummary;
  access: Access;
  pendingId: string | null;
  onClose: () => void;
}) {
  const store = useApprovalsStore();
  const id = useId();
  const choices = durationChoices(access.maxDurationMinutes);
  const [minutes, setMinutes] = useState(() => choices.find((m) => m >= 60) ?? choices[choices.length - 1] ?? 60);
  const [requestId, setRequestId] = useState<string | null>(pendingId);

  return (
    <ApprovalDialog label="Request access" title={`Request access to ${connection.name}`} onCancel={onClose}>
      {requestId ? (
        <>
          <PendingCard requestId={requestId} onDismiss={onClose} testId="access-approval-card" />
          <p className="field-hint">When approved, the connection opens normally until the granted time; open sessions close then.</p>
          <div className="form-actions">
            <button type="button" className="small-button" data-autofocus onClick={onClose}>
              Close
            </button>
          </div>
        </>
      ) : (
        <>
          <PolicyServerNote />
          <p className="dialog-text">Policy opens this connection only while an approved access request is in force.</p>
          <JustificationForm
            submitLabel="Request access"
            onCancel={onClose}
            extraFields={
              <>
                <label className="field-label" htmlFor={`${id}-duration`}>
                  Duration
                </label>
                <select id={`${id}-duration`} className="field-input" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
                  {choices.map((m) => (
                    <option key={m} value={m}>
                      {durationLabel(m)}
                      {m === access.maxDurationMinutes ? ' (maximum)' : ''}
                    </option>
                  ))}
                </select>
              </>
            }
            onSubmit={async (justification) => {
              const r = await store.request({ kind: 'access', connectionId: connection.id, durationMinutes: minutes, justification });
              if ('error' in r) return `Could not request access: ${r.error.message}`;
              setRequestId(r.ok.id);
              return null;
            }}
          />
        </>
      )}
    </ApprovalDialog>
  );
}
