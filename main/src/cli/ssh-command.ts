// `gatehouse ssh <connection> -c "<command>"`: its shape only; ssh-run.ts (exit codes, the SSH
// client) is loaded when it runs (see gatehouse.ts).
import { Option, type Command } from 'commander';

export function registerSshCommand(program: Command): void {
  program
    .command('ssh <connection>')
    .description('Run one command on an SSH connection (demo-ssh: the offline demo target), guarded and masked; exits with the remote status')
    .option('-c, --command <command>', 'the command to run')
    .option('--config <file>', 'connections file (default: $GATEHOUSE_CONFIG)')
    .option('--policy <file>', 'policy file (default: the bundled policy)')
    .option('--data-dir <dir>', 'app-data folder: known hosts, and the demo log (default: the user app-data folder)')
    .addOption(new Option('--as <identity>', 'whose role applies').choices(['engineer', 'admin']).default('engineer'))
    .action(async (connection: string, opts: { command?: string; config?: string; policy?: string; dataDir?: string; as: string }) => {
      const { runSshCommand } = await import('./ssh-run.js');
      process.exitCode = await runSshCommand(connection, opts);
    });
}
