// `gatehouse check-command "<line>"`: its shape only; check-command-run.ts is loaded when it runs
// (see gatehouse.ts).
import type { Command } from 'commander';

export function registerCheckCommandCommand(program: Command): void {
  program
    .command('check-command <line>')
    .description("Print the shell guard's decision for a command line, without connecting (exit 0 allow, 1 deny, 3 approve)")
    .option('--role <role>', 'policy role (default: support)')
    .option('--policy <file>', 'policy file (default: the bundled policy)')
    .option('--json', 'print JSON')
    .action(async (line: string, opts: { role?: string; policy?: string; json?: boolean }) => {
      const { runCheckCommandCommand } = await import('./check-command-run.js');
      process.exitCode = await runCheckCommandCommand(line, opts);
    });
}
