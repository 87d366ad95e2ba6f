// What `gatehouse verify` does; verify-command.ts registers it (and is what callers import).
import { readRecording, RecordingInvalid, verifyRecording, type RecordingContents, type VerifyResult } from '@gatehouse/gateway-core';

type Out = Pick<NodeJS.WriteStream, 'write'>;

export async function runVerifyCommand(recording: string, opts: { json?: boolean }, out: Out = process.stdout): Promise<number> {
  const result = await verifyRecording(recording);
  // A chain that verifies vouches for the bytes, not for what they say: check the format too.
  // (Nothing verified, as after a crash before the first flush: nothing to check.)
  const format = result.intact && result.events > 0 ? await checkFormat(recording) : undefined;
  if (opts.json) out.write(`${JSON.stringify(format ? { ...result, ...format } : result, null, 2)}\n`);
  else out.write(`${format?.formatError ? `INVALID: ${format.formatError}` : describe(result)}\n`);
  if (result.intact) return format?.formatError ? 1 : 0;
  return result.reason === 'unreadable' ? 2 : 1;
}

/** The recording's kind, or why a verified line is not valid for its format. */
async function checkFormat(recording: string): Promise<{ kind?: RecordingContents['kind']; formatError?: string }> {
  try {
    return { kind: (await readRecording(recording)).kind };
  } catch (err) {
    if (err instanceof RecordingInvalid) return { formatError: err.message };
    return { formatError: `cannot be read: ${(err as Error).message}` };
  }
}

export function describe(r: VerifyResult): string {
  if (!r.intact) return `BROKEN at event ${r.firstBrokenEvent} (line ${r.firstBrokenEvent + 1}): ${r.reason}: ${r.detail}`;
  const notes: string[] = [];
  if (!r.sealed) notes.push('not sealed: the session is still running or its process ended without closing it');
  if (r.lost) notes.push(`${r.lost} event(s) of the last flush were lost`);
  if (r.unindexed) notes.push(`${r.unindexed} trailing event(s) were written but never indexed, so they are not verified`);
  if (r.truncatedBytes) notes.push(`a partial last line (${r.truncatedBytes} bytes) is ignored`);
  return `intact (${r.events} events)${notes.length ? `\n${notes.map((n) => `  note: ${n}`).join('\n')}` : ''}`;
}
