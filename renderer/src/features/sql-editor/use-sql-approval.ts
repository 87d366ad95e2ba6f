import { useEffect, useState } from 'react';
import type { SqlRefusal } from '@gatehouse/gateway-core/contract';
import { useApproval, useApprovalsStore, useSqlResult } from '../approvals/use-approvals';
import type { SqlSession } from './use-sql-session';

/** What the dialog asks approval for: the exact text that was run, and why it was held. */
export interface HeldStatement {
  text: string;
  refusal: SqlRefusal;
}

/**
 * One editor tab's approval loop: the dialog for a held statement, the request it made, and
 * the approved result, which is shown in the tab's own result panel when it arrives.
 */
export function useSqlApproval(session: SqlSession) {
  const store = useApprovalsStore();
  const [asking, setAsking] = useState<HeldStatement | null>(null);
  const [requested, setRequested] = useState<{ id: string; text: string } | null>(null);
  const request = useApproval(requested?.id ?? null);
  const result = useSqlResult(requested?.id ?? null);
  const { showResult } = session;

  // The approved statement ran in this tab's session: its result takes the result panel.
  useEffect(() => {
    if (result && requested) showResult({ text: requested.text, editorOffset: null, label: `Approved request ${result.requestId}` }, result.result);
    // Once per result event: `requested` changes only with a new request, which has no result yet.
  }, [result, showResult]);

  const submit = async (justification: string): Promise<string | null> => {
    if (!asking) return null;
    let sessionId: string;
    try {
      sessionId = await session.sessionId();
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    const r = await store.request({ kind: 'sql', sessionId, text: asking.text, justification });
    if ('error' in r) return `Could not request approval: ${r.error.message}`;
    setRequested({ id: r.ok.id, text: asking.text });
    setAsking(null);
    return null;
  };

  /** A pending request for this very text: asking again would only duplicate it. */
  const pendingFor = (text: string): boolean => requested?.text === text && (request?.status ?? 'pending') === 'pending';

  return {
    asking,
    ask: setAsking,
    closeDialog: () => setAsking(null),
    submit,
    requested,
    dismiss: () => setRequested(null),
    pendingFor,
  };
}
