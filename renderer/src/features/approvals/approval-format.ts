import type { ApprovalView } from '@gatehouse/gateway-core/contract';

/** "42 s", "7 min", "3 h 05 min": how long ago, coarse enough to read at a glance. */
export function formatAge(iso: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d`;
}

/** Local HH:MM (24-hour), for "until" times. */
export function hhmm(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Local date and time, for history rows. */
export function when(iso: string): string {
  const d = new Date(iso);
  return `${d.toLocaleDateString('en-CA')} ${hhmm(iso)}`;
}

export const isFinal = (r: ApprovalView): boolean => r.status !== 'pending' && r.status !== 'approved';

/** The decision that settled the request (the deny, or the last approve). */
export function finalDecision(r: ApprovalView): ApprovalView['decisions'][number] | null {
  return r.decisions.find((d) => d.decision === 'deny') ?? r.decisions[r.decisions.length - 1] ?? null;
}

const approvals = (r: ApprovalView): number => r.decisions.filter((d) => d.decision === 'approve').length;

/** One line a person reads: what state the request is in, and what to expect next. */
export function statusText(r: ApprovalView): string {
  switch (r.status) {
    case 'pending':
      return r.requiredApprovals > 1 ? `Pending approval (${approvals(r)} of ${r.requiredApprovals})` : 'Pending approval';
    case 'approved':
      if (r.kind === 'access') return 'Approved';
      return r.outcome && r.outcome !== 'ran' ? `Approved, not run: ${r.outcome}` : 'Approved, running';
    case 'used':
      if (r.outcome && r.outcome !== 'ran') return `Approved, not run: ${r.outcome}`;
      return r.kind === 'shell' ? 'Approved — sent' : 'Approved — ran';
    case 'denied': {
      const d = finalDecision(r);
      return `Denied${d?.byName ? ` by ${d.byName}` : ''}${d?.reason ? `: ${d.reason}` : ''}`;
    }
    case 'cancelled':
      return 'Cancelled';
    case 'expired':
      return 'Expired: nobody decided in time, so it was not run';
  }
}

export const KIND_LABEL: Record<ApprovalView['kind'], string> = { sql: 'SQL statement', shell: 'Shell command', access: 'Access' };

/** Durations a user can pick, capped by the policy's maximum (which is always offered). */
export function durationChoices(maxMinutes: number): number[] {
  const base = [15, 30, 60, 120, 240, 480, 1440].filter((m) => m < maxMinutes);
  return [...base, maxMinutes];
}

export function durationLabel(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
