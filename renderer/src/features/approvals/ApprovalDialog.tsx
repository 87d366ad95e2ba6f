import { useEffect, useRef, type ReactNode } from 'react';

const FOCUSABLE = 'button:not(:disabled), [href], input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

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
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          } else if (e.key === 'Tab') {
            const focusable = Array.from(ref.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? []);
            const first = focusable[0];
            const last = focusable[focusable.length - 1];
            if (e.shiftKey && document.activeElement === first) {
              e.preventDefault();
              last?.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
              e.preventDefault();
              first?.focus();
            }
          }
        }}
      >
        <h3 className="approval-dialog-title">{title}</h3>
        {children}
      </div>
    </div>
  );
}
