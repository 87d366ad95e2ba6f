/**
 * `gatehouse verify <recording> [--json]`: checks a recording's hash chain against its index
 * (`<recording>.index.jsonl`). Prints "intact (N events)" and exits 0, or names the first event
 * that was changed, removed, reordered or inserted and exits 1 (2: unreadable).
 * Event numbers are line numbers of the recording; event 0 is the header.
 */
import type { Command } from 'commander';
import { verifyRecording, type VerifyResult } from '@gatehouse/gateway-core';

type Out = Pick<NodeJS.WriteStream, 'write'>;

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description("Check a session recording's hash chain: prints \"intact (N events)\" or names the first broken event (exit 1)")
    .argument('<recording>', 'the recording file (.cast or .sql.jsonl); its index is <recording>.index.jsonl')
    .option('--json', 'print JSON')
    .action(async (recording: string, opts: { json?: boolean }) => {
      process.exitCode = await runVerifyCommand(recording, opts);
    });
}

export async function runVerifyCommand(recording: string, opts: { json?: boolean }, out: Out = process.stdout): Promise<number> {
  const result = await verifyRecording(recording);
  if (opts.json) out.write(`${JSON.stringify(result, null, 2)}\n`);
  else out.write(`${describe(result)}\n`);
  if (result.intact) return 0;
  return result.reason === 'unreadable' ? 2 : 1;
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
