import { useEffect, useRef, type ReactNode } from 'react';
import { FOCUSABLE, handleDialogKeys } from '../../app/dialog-keys';

/**
 * A modal dialog over the whole window, named by `label` (role="dialog" with aria-label, so a
 * test finds it by name). Escape cancels; Tab stays inside; focus starts on [data-autofocus].
 */
export function ApprovalDialog({ label, title, children, onCancel }: { label: string; title: ReactNode; children: ReactNode; onCancel: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    opener.current = document.activeElement;
    const el = ref.current;
    (el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>(FOCUSABLE))?.focus();
    // Give focus back where the user was (the button that opened us) when the dialog goes.
    return () => (opener.current as HTMLElement | null)?.focus?.();
  }, []);

  // Escape closes even when focus has left the dialog (its content changed under the focused element).
  const cancel = useRef(onCancel);
  cancel.current = onCancel;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && !ref.current?.contains(document.activeElement)) cancel.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="approval-backdrop">
      <div
        ref={ref}
        className="approval-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={label}
        onKeyDown={(e) => handleDialogKeys(e, ref.current, onCancel)}
      >
        <h3 className="approval-dialog-title">{title}</h3>
        {children}
      </div>
    </div>
  );
}
