// `gatehouse check-sql "<statement>"`: its shape only; check-sql-run.ts (and with it the SQL
// parser's WASM) is loaded when it runs (see gatehouse.ts).
import type { Command } from 'commander';

export function registerCheckSqlCommand(program: Command): void {
  program
    .command('check-sql')
    .description('Print the guard’s decision for a statement without connecting (exit 0 = allowed)')
    .argument('<statement>', 'the SQL text to check')
    .option('--role <role>', 'policy role (default: support)')
    .option('--json', 'print JSON')
    .option('--policy <file>', 'policy file (default: the bundled default policy)')
    .action(async (statement: string, opts: { role?: string; json?: boolean; policy?: string }) => {
      const { runCheckSqlCommand } = await import('./check-sql-run.js');
      process.exitCode = await runCheckSqlCommand(statement, opts);
    });
}
