/**
 * `gatehouse verify <recording> [--json]`: checks a recording's hash chain against its index
 * (`<recording>.index.jsonl`), then that every verified line is valid for its format (terminal
 * asciicast, SQL or agent-call JSONL: the header and each event). Prints "intact (N events)" and
 * exits 0, or names the first event that was changed, removed, reordered or inserted, or the
 * first line that breaks the format, and exits 1 (2: unreadable).
 * Event numbers are line numbers of the recording; event 0 is the header.
 *
 * Only the command's shape is here; verify-run.ts is loaded when it runs (see gatehouse.ts).
 */
import type { Command } from 'commander';

type Out = Pick<NodeJS.WriteStream, 'write'>;

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description("Check a session recording's hash chain: prints \"intact (N events)\" or names the first broken event (exit 1)")
    .argument('<recording>', 'the recording file (.cast, .sql.jsonl or .agent.jsonl); its index is <recording>.index.jsonl')
    .option('--json', 'print JSON')
    .action(async (recording: string, opts: { json?: boolean }) => {
      process.exitCode = await runVerifyCommand(recording, opts);
    });
}

/** Loads the implementation only now; tests drive the command through here. */
export async function runVerifyCommand(recording: string, opts: { json?: boolean }, out: Out = process.stdout): Promise<number> {
  const impl = await import('./verify-run.js');
  return impl.runVerifyCommand(recording, opts, out);
}
