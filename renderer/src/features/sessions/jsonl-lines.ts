/**
 * The line discipline shared by the JSONL recordings (SQL and agent sessions): the first line is
 * the header naming the format, every later line one event with a time and a type. A line that is
 * not JSON or not an event is counted and skipped (the player shows the count), so one damaged
 * line does not cost the rest of the replay; a header of another format stops the load.
 */
export type Ev = Record<string, unknown> & { t: number; type: string };

export type JsonlLine = { kind: 'header'; meta: Record<string, unknown> } | { kind: 'event'; event: Ev } | { kind: 'skipped' };

export class JsonlLines {
  private headerSeen = false;

  /** `format`: the header's format field; `what`: how the error names the recording. */
  constructor(
    private readonly format: string,
    private readonly what: string,
  ) {}

  read(line: string): JsonlLine {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { kind: 'skipped' };
    }
    if (!this.headerSeen) {
      if (e.format !== this.format) throw new Error(`This is not a Gatehouse ${this.what} recording.`);
      this.headerSeen = true;
      return { kind: 'header', meta: objectOf(e.gatehouse) };
    }
    if (typeof e.t !== 'number' || typeof e.type !== 'string') return { kind: 'skipped' };
    return { kind: 'event', event: e as Ev };
  }
}

export function objectOf(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
