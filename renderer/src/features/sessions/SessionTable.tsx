import { useMemo, useState } from 'react';
import type { SessionView } from '@gatehouse/gateway-core/contract';
import { dateTime, duration, kindLabel, sessionSeconds } from './session-format';

type SortKey = 'start' | 'duration' | 'user';
interface Sort {
  key: SortKey;
  dir: 1 | -1;
}

const COMPARE: Record<SortKey, (a: SessionView, b: SessionView) => number> = {
  start: (a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt),
  duration: (a, b) => sessionSeconds(a) - sessionSeconds(b),
  user: (a, b) => a.userName.localeCompare(b.userName) || a.user.localeCompare(b.user),
};

function SortHeader({ label, k, sort, onSort }: { label: string; k: SortKey; sort: Sort; onSort: (s: Sort) => void }) {
  const active = sort.key === k;
  return (
    <th scope="col" aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort({ key: k, dir: active ? (-sort.dir as 1 | -1) : k === 'user' ? 1 : -1 })}>
        {label}
        <span aria-hidden="true">{active ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

function Counts({ s }: { s: SessionView }) {
  const { blocked, held, approved, masked } = s.counts;
  return (
    <span className="session-counts">
      <span className={blocked ? 'count blocked' : 'count'} title="Blocked">{blocked} blocked</span>
      <span className={held ? 'count held' : 'count'} title="Held for approval">{held} held</span>
      <span className={approved ? 'count approved' : 'count'} title="Approved">{approved} approved</span>
      <span className="count" title="Masked values">{masked} masked</span>
    </span>
  );
}

/** The sessions as a sortable table; a row opens its session (click, or Enter on its button). */
export function SessionTable({ sessions, selectedId, onOpen }: { sessions: SessionView[]; selectedId: string | null; onOpen: (id: string) => void }) {
  const [sort, setSort] = useState<Sort>({ key: 'start', dir: -1 });
  const sorted = useMemo(() => [...sessions].sort((a, b) => COMPARE[sort.key](a, b) * sort.dir), [sessions, sort]);
  return (
    <table className="session-table" aria-label="Recorded sessions">
      <thead>
        <tr>
          <SortHeader label="Started" k="start" sort={sort} onSort={setSort} />
          <SortHeader label="Duration" k="duration" sort={sort} onSort={setSort} />
          <SortHeader label="User" k="user" sort={sort} onSort={setSort} />
          <th scope="col">Connection</th>
          <th scope="col">Kind</th>
          <th scope="col">Events</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((s) => (
          <tr
            key={s.id}
            aria-label={`Session ${s.id}`}
            aria-selected={s.id === selectedId}
            data-testid="session-row"
            data-session-id={s.id}
            data-status={s.status}
            className={s.id === selectedId ? 'selected' : undefined}
            onClick={() => onOpen(s.id)}
          >
            <td>
              <button type="button" className="link-like" onClick={(e) => {
                  e.stopPropagation();
                  onOpen(s.id);
                }} aria-label={`Open session ${s.id}`}>
                {dateTime(s.startedAt)}
              </button>
              {s.status === 'uploading' && (
                <span className="live-badge" title="Still being recorded or uploaded: open it to watch it live">
                  Live
                </span>
              )}
            </td>
            <td>{s.endedAt ? duration(sessionSeconds(s)) : '—'}</td>
            <td title={s.user}>{s.userName}</td>
            <td>{s.connectionId}</td>
            <td data-testid="session-kind" data-kind={s.kind}>
              {kindLabel(s.kind)}
              {s.kind === 'agent' && s.detail && (
                <span className="kind-detail" title="Tool" data-testid="session-tool">
                  {s.detail}
                </span>
              )}
            </td>
            <td>
              <Counts s={s} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
