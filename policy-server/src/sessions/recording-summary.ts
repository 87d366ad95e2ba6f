/**
 * What the session index keeps about a verified recording: its counts of blocked, held, approved
 * and masked events, the searchable text, and its `detail` (an agent call's tool). Everything
 * here comes from the recording, which gateway-core masked before writing it, so the text is
 * masked too.
 *
 * The searchable text is: SQL statements; shell command lines, from the guard's markers (every
 * line it held or refused, with its command) and, when the role records input, from the typed
 * keystrokes split at Enter; an agent call's tool name and the strings of its (masked) input.
 */
import { BULLET, TerminalMarker, type AgentEvent, type RecordingContents, type SessionCounts, type SqlEvent } from '@gatehouse/gateway-core';

/** The searchable text is capped (a session with a million statements still has one row). */
export const MAX_SEARCH_TEXT_CHARS = 1_000_000;

export interface RecordingSummary {
  counts: SessionCounts;
  searchText: string;
  /** Seconds from the start to the last event. */
  durationSec: number;
  /** An agent call's tool; null for terminal and SQL sessions. */
  detail: string | null;
}

/** Collects the counts and the search text while the events are walked. */
class Tally {
  readonly counts: SessionCounts = { blocked: 0, held: 0, approved: 0, masked: 0 };
  durationSec = 0;
  private readonly lines: string[] = [];
  private size = 0;

  text(s: string | undefined): void {
    const t = s?.trim();
    if (!t || this.size >= MAX_SEARCH_TEXT_CHARS) return;
    this.lines.push(t);
    this.size += t.length + 1;
  }

  /** Counts the event once if any of its texts carries a masking bullet. */
  maskedIf(...texts: Array<string | null | undefined>): void {
    if (texts.some((s) => typeof s === 'string' && s.includes(BULLET))) this.counts.masked++;
  }

  decision(action: 'allow' | 'deny' | 'approve' | 'approved'): void {
    if (action === 'deny') this.counts.blocked++;
    else if (action === 'approve') this.counts.held++;
    else if (action === 'approved') this.counts.approved++;
  }

  searchText(): string {
    return this.lines.join('\n').slice(0, MAX_SEARCH_TEXT_CHARS);
  }
}

export function summarise(rec: RecordingContents): RecordingSummary {
  const tally = new Tally();
  let detail: string | null = null;
  if (rec.kind === 'terminal') terminal(rec.events, tally);
  else if (rec.kind === 'sql') for (const e of rec.events) sqlEvent(e, tally);
  else {
    detail = rec.header.gatehouse.agent.tool;
    tally.text(detail);
    for (const e of rec.events) agentEvent(e, tally);
  }
  return { counts: tally.counts, searchText: tally.searchText(), durationSec: tally.durationSec, detail };
}

function terminal(events: Extract<RecordingContents, { kind: 'terminal' }>['events'], tally: Tally): void {
  let typed = '';
  for (const [t, code, data] of events) {
    tally.durationSec = Math.max(tally.durationSec, t);
    tally.maskedIf(data);
    if (code === 'm') {
      const marker = parseMarker(data);
      if (!marker) continue;
      if (marker.type === 'guard') {
        if (marker.action === 'deny') tally.counts.blocked++;
        else if (marker.action === 'approve') tally.counts.held++;
        tally.text(marker.command);
      } else if (marker.type === 'approval' && /^approved\b/.test(marker.text ?? '')) {
        tally.counts.approved++;
      }
    } else if (code === 'i') {
      // Typed input (recorded only when policy says so): a command line ends at Enter.
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') {
          tally.text(typed);
          typed = '';
        } else if (ch === '\x7f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch === '\x15') typed = '';
        else if (ch >= ' ') typed += ch;
      }
    }
  }
  tally.text(typed);
}

/** The events SQL sessions and agent calls share (results, errors, notices, decisions). */
type SharedEvent = Extract<SqlEvent | AgentEvent, { type: 'decision' | 'rows' | 'error' | 'notice' }>;

function sharedEvent(e: SharedEvent, tally: Tally): void {
  switch (e.type) {
    case 'decision':
      tally.decision(e.action);
      tally.maskedIf(e.reason);
      break;
    case 'rows':
      if (e.rows.some((row) => row.some((c) => c.m !== undefined || c.v?.includes(BULLET)))) tally.counts.masked++;
      break;
    case 'error':
      tally.maskedIf(e.error.message, e.error.detail, e.error.hint);
      break;
    case 'notice':
      tally.maskedIf(e.text);
      break;
  }
}

function sqlEvent(e: SqlEvent, tally: Tally): void {
  tally.durationSec = Math.max(tally.durationSec, e.t);
  if (e.type === 'statement') {
    tally.text(e.text);
    tally.maskedIf(e.text);
  } else if (e.type === 'decision' || e.type === 'rows' || e.type === 'error' || e.type === 'notice') sharedEvent(e, tally);
}

function agentEvent(e: AgentEvent, tally: Tally): void {
  tally.durationSec = Math.max(tally.durationSec, e.t);
  switch (e.type) {
    case 'call': {
      const strings = jsonStrings(e.input);
      for (const s of strings) tally.text(s);
      tally.maskedIf(...strings);
      break;
    }
    case 'approval':
      tally.maskedIf(e.detail);
      break;
    case 'output':
      tally.maskedIf(e.text);
      break;
    case 'decision':
    case 'rows':
    case 'error':
    case 'notice':
      sharedEvent(e, tally);
      break;
    default:
      break;
  }
}

/** Every string value in a JSON value, depth first (object keys are names, not searched). */
function jsonStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) jsonStrings(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) jsonStrings(v, out);
  return out;
}

function parseMarker(data: string): TerminalMarker | undefined {
  try {
    const parsed = TerminalMarker.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
