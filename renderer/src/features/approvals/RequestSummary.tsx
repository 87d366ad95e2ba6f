import type { ApprovalView } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { KIND_LABEL, durationLabel, formatAge } from './approval-format';

/**
 * What an approver needs to judge a request: who, where, the full statement or command line
 * (monospace, scrollable, never cut), its class and rule, the justification, and its age.
 */
export function RequestSummary({ request, now }: { request: ApprovalView; now: number }) {
  const { connections } = useAppState();
  const connection = connections?.find((c) => c.id === request.connectionId);
  return (
    <div className="request-summary">
      <dl className="approval-facts">
        <dt>Requester</dt>
        <dd data-testid="approval-requester">
          {request.requesterName} <span className="muted">({request.requester})</span>
        </dd>
        <dt>Connection</dt>
        <dd data-testid="approval-connection">{connection ? connection.name : request.connectionId}</dd>
        <dt>Kind</dt>
        <dd data-testid="approval-kind">
          {KIND_LABEL[request.kind]}
          {request.actionClass && <span className={`class-chip class-${request.actionClass}`}>{request.actionClass}</span>}
        </dd>
        {request.rule && (
          <>
            <dt>Rule</dt>
            <dd data-testid="approval-rule">
              <code>{request.rule}</code>
            </dd>
          </>
        )}
        {request.durationMinutes !== null && (
          <>
            <dt>Duration</dt>
            <dd>{durationLabel(request.durationMinutes)}</dd>
          </>
        )}
        <dt>Age</dt>
        <dd data-testid="approval-age">{formatAge(request.createdAt, now)}</dd>
        <dt>Justification</dt>
        <dd className="approval-justification" data-testid="approval-justification">
          {request.justification}
        </dd>
      </dl>
      {request.action !== null && (
        <pre className="approval-action" tabIndex={0} aria-label={request.kind === 'sql' ? 'Statement' : 'Command'} data-testid="approval-action">
          {request.action}
        </pre>
      )}
    </div>
  );
}
