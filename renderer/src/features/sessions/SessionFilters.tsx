import { useState, type FormEvent } from 'react';
import type { SessionFilter } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import { localToIso } from './session-format';

interface Draft {
  user: string;
  connectionId: string;
  kind: '' | 'terminal' | 'sql' | 'agent';
  from: string;
  to: string;
  hasBlocked: boolean;
  hasApproval: boolean;
  q: string;
  includeLive: boolean;
}

const EMPTY: Draft = { user: '', connectionId: '', kind: '', from: '', to: '', hasBlocked: false, hasApproval: false, q: '', includeLive: true };

export function toFilter(d: Draft): SessionFilter {
  const f: SessionFilter = { includeLive: d.includeLive, limit: 500 };
  if (d.user.trim()) f.user = d.user.trim();
  if (d.connectionId) f.connectionId = d.connectionId;
  if (d.kind) f.kind = d.kind;
  const from = localToIso(d.from);
  const to = localToIso(d.to);
  if (from) f.from = from;
  if (to) f.to = to;
  if (d.hasBlocked) f.hasBlocked = true;
  if (d.hasApproval) f.hasApproval = true;
  if (d.q.trim()) f.q = d.q.trim();
  return f;
}

export const DEFAULT_FILTER = toFilter(EMPTY);

/** The list's filters; applied on submit (Enter or "Apply"), so typing does not query per key. */
export function SessionFilters({ onApply }: { onApply: (filter: SessionFilter) => void }) {
  const { connections } = useAppState();
  const [d, setD] = useState<Draft>(EMPTY);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]): void => setD((x) => ({ ...x, [k]: v }));
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onApply(toFilter(d));
  };
  return (
    <form className="session-filters" role="search" aria-label="Filter sessions" onSubmit={submit}>
      <label>
        User
        <input value={d.user} onChange={(e) => set('user', e.target.value)} placeholder="any" />
      </label>
      <label>
        Connection
        <select value={d.connectionId} onChange={(e) => set('connectionId', e.target.value)}>
          <option value="">any</option>
          {connections?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Kind
        <select value={d.kind} onChange={(e) => set('kind', e.target.value as Draft['kind'])}>
          <option value="">any</option>
          <option value="terminal">terminal</option>
          <option value="sql">SQL</option>
          <option value="agent">AI agent</option>
        </select>
      </label>
      <label>
        From
        <input type="datetime-local" value={d.from} onChange={(e) => set('from', e.target.value)} />
      </label>
      <label>
        To
        <input type="datetime-local" value={d.to} onChange={(e) => set('to', e.target.value)} />
      </label>
      <label className="session-filter-search">
        Search
        <input type="search" value={d.q} onChange={(e) => set('q', e.target.value)} placeholder="statements, command lines, agent tools" />
      </label>
      <label className="session-filter-check">
        <input type="checkbox" checked={d.hasBlocked} onChange={(e) => set('hasBlocked', e.target.checked)} /> Has blocked
      </label>
      <label className="session-filter-check">
        <input type="checkbox" checked={d.hasApproval} onChange={(e) => set('hasApproval', e.target.checked)} /> Has approval
      </label>
      <label className="session-filter-check">
        <input type="checkbox" checked={d.includeLive} onChange={(e) => set('includeLive', e.target.checked)} /> Live sessions
      </label>
      <div className="session-filter-actions">
        <button type="submit" className="session-button primary">
          Apply filters
        </button>
        <button
          type="button"
          className="session-button"
          onClick={() => {
            setD(EMPTY);
            onApply(toFilter(EMPTY));
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
