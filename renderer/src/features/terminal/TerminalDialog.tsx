import { useEffect, useId, useRef, type ReactNode } from 'react';
import { handleDialogKeys } from '../../app/dialog-keys';

/**
 * A modal confirmation over one terminal pane (not the whole app: other tabs and the SQL editor
 * stay usable). Escape cancels; focus starts on `initialFocus` and Tab stays inside.
 */
export function TerminalDialog({
  title,
  testId,
  children,
  actions,
  onCancel,
}: {
  title: string;
  testId: string;
  children: ReactNode;
  actions: ReactNode;
  onCancel: () => void;
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = ref.current;
    // The safest choice gets focus first: Enter must not run a paste or trust a key by accident.
    (el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>('button'))?.focus();
  }, []);

  return (
    <div className="terminal-dialog-backdrop">
      <div
        ref={ref}
        className="terminal-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        onKeyDown={(e) => handleDialogKeys(e, ref.current, onCancel)}
      >
        <h3 id={titleId}>{title}</h3>
        <div className="terminal-dialog-body">{children}</div>
        <div className="terminal-dialog-actions">{actions}</div>
      </div>
    </div>
  );
}
