// `gatehouse secrets set|list|delete [name]`: its shape only; secrets-run.ts is loaded when it runs
// (see gatehouse.ts).
import type { Command } from 'commander';

export function registerSecretsCommand(program: Command): void {
  program
    .command('secrets')
    .description('Manage stored:NAME secrets, sealed in the app-data folder (the value is read from stdin)')
    .argument('<action>', 'set, list or delete')
    .argument('[name]', 'the secret name, as in stored:NAME')
    .option('--data-dir <dir>', 'the app-data folder (default: the user app-data folder)')
    .action(async (action: string, name: string | undefined, opts: { dataDir?: string }) => {
      if (action !== 'set' && action !== 'list' && action !== 'delete') {
        process.stderr.write(`gatehouse secrets: unknown action "${action}"; use set, list or delete\n`);
        process.exitCode = 2;
        return;
      }
      const { runSecretsCommand } = await import('./secrets-run.js');
      process.exitCode = await runSecretsCommand(action, name, opts);
    });
}
