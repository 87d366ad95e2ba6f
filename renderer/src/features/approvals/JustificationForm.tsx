import { useId, useState, type ReactNode } from 'react';
import { usePolicyServerStatus } from './use-approvals';

export const MIN_JUSTIFICATION = 3;

/**
 * The part every approval request shares: a required justification (at least 3 characters, as
 * the contract says), the submit button, and the host's error shown right where the user acted.
 * `onSubmit` answers null on success or the message to show.
 */
export function JustificationForm({
  submitLabel = 'Request approval',
  extraFields,
  onSubmit,
  onCancel,
  compact = false,
}: {
  submitLabel?: string;
  extraFields?: ReactNode;
  onSubmit: (justification: string) => Promise<string | null>;
  onCancel?: () => void;
  compact?: boolean;
}) {
  const id = useId();
  const status = usePolicyServerStatus();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const tooShort = text.trim().length < MIN_JUSTIFICATION;
  // With no policy server configured nothing can be approved; say so rather than fail on submit.
  const noServer = status?.state === 'none';

  const submit = async (): Promise<void> => {
    setTouched(true);
    if (tooShort || busy || noServer) return;
    setBusy(true);
    setError(null);
    const failure = await onSubmit(text.trim());
    setBusy(false);
    setError(failure);
  };

  return (
    <form
      className={`justification-form${compact ? ' compact' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {extraFields}
      <label htmlFor={`${id}-why`} className="field-label">
        Justification
      </label>
      <textarea
        id={`${id}-why`}
        data-autofocus
        className="field-input"
        rows={compact ? 1 : 3}
        value={text}
        maxLength={2000}
        placeholder="Why is this needed? (ticket, incident, customer request…)"
        aria-invalid={touched && tooShort}
        aria-describedby={`${id}-hint`}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          // Enter sends in the one-line (terminal) form; Ctrl/Cmd+Enter always does.
          if (e.key === 'Enter' && (compact || e.ctrlKey || e.metaKey) && !e.shiftKey) {
            e.preventDefault();
            void submit();
          }
        }}
      />
      <div id={`${id}-hint`} className={`field-hint${touched && tooShort ? ' error-text' : ''}`}>
        {touched && tooShort ? `Say why, in at least ${MIN_JUSTIFICATION} characters.` : 'An approver sees this with the request.'}
      </div>
      {error && (
        <div className="form-error" role="alert" data-testid="approval-request-error">
          {error}
        </div>
      )}
      <div className="form-actions">
        {onCancel && (
          <button type="button" className="small-button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary-button" disabled={busy || noServer}>
          {busy ? 'Requesting…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
