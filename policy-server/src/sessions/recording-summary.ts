/**
 * What the session index keeps about a verified recording: its counts of blocked, held, approved
 * and masked events, and the searchable text (the SQL statements and the shell command lines).
 * Everything here comes from the recording, which gateway-core masked before writing it, so the
 * text is masked too.
 *
 * Shell command lines come from the guard's markers (every line it held or refused, with its
 * command) and, when the role records input, from the typed keystrokes split at Enter.
 */
import { BULLET, TerminalMarker, type RecordingContents, type SessionCounts } from '@gatehouse/gateway-core';

/** The searchable text is capped (a session with a million statements still has one row). */
export const MAX_SEARCH_TEXT_CHARS = 1_000_000;

export interface RecordingSummary {
  counts: SessionCounts;
  searchText: string;
  /** Seconds from the start to the last event. */
  durationSec: number;
}

export function summarise(rec: RecordingContents): RecordingSummary {
  const counts: SessionCounts = { blocked: 0, held: 0, approved: 0, masked: 0 };
  const lines: string[] = [];
  let size = 0;
  const text = (s: string | undefined): void => {
    const t = s?.trim();
    if (!t || size >= MAX_SEARCH_TEXT_CHARS) return;
    lines.push(t);
    size += t.length + 1;
  };
  const masked = (s: string | undefined): boolean => s !== undefined && s.includes(BULLET);
  let durationSec = 0;

  if (rec.kind === 'terminal') {
    let typed = '';
    for (const [t, code, data] of rec.events) {
      durationSec = Math.max(durationSec, t);
      if (masked(data)) counts.masked++;
      if (code === 'm') {
        const marker = parseMarker(data);
        if (!marker) continue;
        if (marker.type === 'guard') {
          if (marker.action === 'deny') counts.blocked++;
          else if (marker.action === 'approve') counts.held++;
          text(marker.command);
        } else if (marker.type === 'approval' && /^approved\b/.test(marker.text ?? '')) {
          counts.approved++;
        }
      } else if (code === 'i') {
        // Typed input (recorded only when policy says so): a command line ends at Enter.
        for (const ch of data) {
          if (ch === '\r' || ch === '\n') {
            text(typed);
            typed = '';
          } else if (ch === '\x7f' || ch === '\b') typed = typed.slice(0, -1);
          else if (ch === '\x15') typed = '';
          else if (ch >= ' ') typed += ch;
        }
      }
    }
    text(typed);
  } else {
    for (const e of rec.events) {
      durationSec = Math.max(durationSec, e.t);
      switch (e.type) {
        case 'statement':
          text(e.text);
          if (masked(e.text)) counts.masked++;
          break;
        case 'decision':
          if (e.action === 'deny') counts.blocked++;
          else if (e.action === 'approve') counts.held++;
          else if (e.action === 'approved') counts.approved++;
          if (masked(e.reason)) counts.masked++;
          break;
        case 'rows':
          if (e.rows.some((row) => row.some((c) => c.m !== undefined || masked(c.v ?? undefined)))) counts.masked++;
          break;
        case 'error':
          if (masked(e.error.message) || masked(e.error.detail) || masked(e.error.hint)) counts.masked++;
          break;
        case 'notice':
          if (masked(e.text)) counts.masked++;
          break;
        default:
          break;
      }
    }
  }
  return { counts, searchText: lines.join('\n').slice(0, MAX_SEARCH_TEXT_CHARS), durationSec };
}

function parseMarker(data: string): TerminalMarker | undefined {
  try {
    const parsed = TerminalMarker.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
