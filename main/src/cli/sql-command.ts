// `gatehouse sql <connection> -c "<statement>"`: its shape only; sql-run.ts is loaded when it runs,
// so that other commands do not load the SQL broker (see gatehouse.ts).
import { Option, type Command } from 'commander';

export function registerSqlCommand(program: Command): void {
  program
    .command('sql')
    .description('Run SQL on a connection through the guard and masking (read-only unless approved)')
    .argument('<connection>', 'connection id (demo-postgres starts the offline demo)')
    .requiredOption('-c, --command <statement>', 'the SQL text to run')
    .option('--json', 'print JSON')
    .option('--config <file>', 'connections file (default: $GATEHOUSE_CONFIG)')
    .option('--policy <file>', 'policy file (default: the bundled default policy)')
    .option('--data-dir <dir>', 'app-data folder for the demo (default: the user app-data folder)')
    .addOption(new Option('--as <identity>', 'who runs it').choices(['engineer', 'admin']).default('engineer'))
    .action(async (connection: string, opts: { command: string; json?: boolean; config?: string; policy?: string; dataDir?: string; as: 'engineer' | 'admin' }) => {
      const { runSqlCommand } = await import('./sql-run.js');
      process.exitCode = await runSqlCommand(connection, opts);
    });
}
