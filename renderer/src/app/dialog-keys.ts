import type { KeyboardEvent } from 'react';

/** What a dialog's Tab cycle may land on. */
export const FOCUSABLE = 'button:not(:disabled), [href], input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/**
 * Keys of a modal dialog: Escape cancels, Tab and Shift-Tab cycle inside `container`. Keys are
 * kept from the page below (the terminal would otherwise take them as typing).
 */
export function handleDialogKeys(e: KeyboardEvent, container: HTMLElement | null, onCancel: () => void): void {
  e.stopPropagation();
  if (e.key === 'Escape') {
    e.preventDefault();
    onCancel();
    return;
  }
  if (e.key !== 'Tab') return;
  const focusable = Array.from(container?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? []);
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
