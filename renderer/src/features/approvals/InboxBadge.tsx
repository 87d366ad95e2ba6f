import { usePendingInboxCount } from './use-approvals';

/** Pending requests waiting for this user's decision, live from approvals.changed. Hidden at zero. */
export function InboxBadge() {
  const count = usePendingInboxCount();
  if (count === 0) return null;
  return (
    <span className="area-badge" data-testid="approvals-badge" aria-label={`${count} pending`}>
      {count > 99 ? '99+' : count}
    </span>
  );
}
