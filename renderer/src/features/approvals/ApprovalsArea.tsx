import type { ApprovalView } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { HistoryList } from './HistoryList';
import { InboxItem } from './InboxItem';
import { MyRequests } from './MyRequests';
import { PolicyServerNote } from './PolicyServerNote';
import { pendingForMe, useApprovals, useNow } from './use-approvals';

const newest = (a: ApprovalView, b: ApprovalView): number => Date.parse(b.createdAt) - Date.parse(a.createdAt);
const HISTORY_MAX = 100;

/**
 * The approvals area. Everyone sees their own requests ("Mine"). The inbox (pending requests
 * to decide, and the history of decided ones) shows for admins, and for anyone the server has
 * sent a request to decide: policy says who may approve whom, and the server's inbox scope is
 * the authority on that, so the role check is only there to show an admin an empty inbox.
 */
export function ApprovalsArea() {
  const { identity } = useAppState();
  const snapshot = useApprovals();
  const now = useNow();
  const me = snapshot.me;
  const isAdmin = identity?.current?.roles.includes('admin') ?? false;
  const all = [...snapshot.requests.values()];
  const mine = all.filter((r) => r.requester === me).sort(newest);
  const pending = pendingForMe(snapshot).sort((a, b) => -newest(a, b));
  const history = all
    .filter((r) => r.requester !== me && r.status !== 'pending')
    .sort((a, b) => Date.parse(b.decidedAt ?? b.createdAt) - Date.parse(a.decidedAt ?? a.createdAt))
    .slice(0, HISTORY_MAX);
  // Pending ones I already approved (N-of-group) wait for others: listed, not decidable again.
  const waiting = all.filter((r) => r.status === 'pending' && r.requester !== me && r.decisions.some((d) => d.by === me));
  const showInbox = isAdmin || snapshot.inboxSeen;

  return (
    <div className="approvals-area" data-testid="approvals-area">
      <PolicyServerNote />
      {snapshot.loadError && (
        <div className="form-error" role="alert">
          Could not load approvals: {snapshot.loadError}
        </div>
      )}
      {showInbox && (
        <section className="approvals-section" aria-label="Inbox">
          <h2 className="approvals-heading">
            Inbox <span className="count-chip">{pending.length}</span>
          </h2>
          {pending.length === 0 ? (
            <p className="empty-note">{snapshot.loading ? 'Loading…' : 'No requests are waiting for you.'}</p>
          ) : (
            <ol className="inbox-list" aria-label="Pending requests">
              {pending.map((r) => (
                <InboxItem key={r.id} request={r} now={now} />
              ))}
            </ol>
          )}
          {waiting.length > 0 && (
            <p className="field-hint">
              You approved {waiting.length} request{waiting.length === 1 ? '' : 's'} that still wait{waiting.length === 1 ? 's' : ''} for further approvers.
            </p>
          )}
        </section>
      )}
      <section className="approvals-section" aria-label="Mine">
        <h2 className="approvals-heading">
          Mine <span className="count-chip">{mine.length}</span>
        </h2>
        <MyRequests requests={mine} now={now} />
      </section>
      {showInbox && (
        <section className="approvals-section" aria-label="History">
          <h2 className="approvals-heading">
            History
          </h2>
          <HistoryList requests={history} now={now} />
        </section>
      )}
    </div>
  );
}
