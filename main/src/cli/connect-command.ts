/**
 * `gatehouse connect <connection> [--port N] [--tls]`: a local PostgreSQL port (issue 7) for a
 * connection of the connections file, until Ctrl-C, recorded like the app's. Only the command's shape is here; the
 * implementation (connect/connect-run.ts) is loaded when the command runs, so that `gatehouse`'s
 * other commands do not load gateway-core for it.
 */
import { Option, type Command } from 'commander';
import { parsePortOption } from './cli-options.js';

export function registerConnectCommand(program: Command): void {
  program
    .command('connect')
    .description('Open a local PostgreSQL port for psql, DBeaver or a driver, with the same guard, masking and recording (Ctrl-C closes it)')
    .argument('<connection>', 'connection id from the connections file')
    .option('--port <n>', 'local port (default: a free one)', parsePortOption)
    .option('--tls', 'require TLS from clients, with a certificate kept in the app-data folder (sslmode=verify-ca with it, or require)')
    .option('--config <file>', 'connections file (default: $GATEHOUSE_CONFIG)')
    .option('--policy <file>', 'policy file (default: the bundled default policy)')
    .option('--data-dir <dir>', 'app-data folder: stored: secrets, the TLS certificate, recordings (default: the user app-data folder)')
    .addOption(new Option('--as <identity>', 'demo identity whose role applies (with a policyServer in the file and $GATEHOUSE_TOKEN, the token’s person instead)').choices(['engineer', 'admin']).default('engineer'))
    .action(async (connection: string, opts: { port?: number; tls?: boolean; config?: string; policy?: string; dataDir?: string; as: 'engineer' | 'admin' }) => {
      const { runConnectCommand } = await import('../connect/connect-run.js');
      process.exitCode = await runConnectCommand(connection, opts);
    });
}

