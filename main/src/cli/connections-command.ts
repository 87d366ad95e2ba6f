// `gatehouse connections`: its shape only; connections-run.ts is loaded when it runs (see gatehouse.ts).
import type { Command } from 'commander';

export function registerConnectionsCommand(program: Command): void {
  program
    .command('connections')
    .description('List the configured connections (the demo’s when no config is given)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'connections file (default: $GATEHOUSE_CONFIG)')
    .action(async (opts: { json?: boolean; config?: string }) => {
      const { runConnectionsCommand } = await import('./connections-run.js');
      process.exitCode = await runConnectionsCommand(opts);
    });
}
