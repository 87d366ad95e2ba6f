#!/usr/bin/env node
import { Command, Option } from 'commander';
import { readPackageVersion } from '../host/paths.js';
import { runConnectionsCommand } from './connections-command.js';
import { runDemoCommand } from './demo-command.js';
import { runDoctorCommand } from './doctor-command.js';
import { runSecretsCommand } from './secrets-command.js';
import { runCheckSqlCommand } from './check-sql-command.js';
import { runSqlCommand } from './sql-command.js';
import { runSshCommand } from './ssh-command.js';
import { runCheckCommandCommand } from './check-command-command.js';
import { registerApprovalsCommand } from './approvals-command.js';
import { registerStartCommand } from './start-command.js';
import { registerServerCommand } from './server-command.js';
import { registerVerifyCommand } from './verify-command.js';
import { registerConnectCommand } from './connect-command.js';
import { registerMcpCommand } from './mcp-command.js';
import { registerServiceIdentitiesCommand } from './service-identities-command.js';

// `gatehouse … | head` closes our stdout early; that is the reader's choice, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const program = new Command('gatehouse')
  .description('Guarded, masked, recorded access to PostgreSQL and SSH')
  .version(readPackageVersion(), '-v, --version');

program
  .command('demo', { isDefault: true })
  .description('Run the offline demo: embedded database, SSH target and both identities (same as npm start)')
  .option('--port <port>', 'browser shell port (default: a free port)', parsePort)
  .option('--data-dir <dir>', 'where Gatehouse keeps its state (default: the user app-data folder)')
  .option('--reset-demo', 'rebuild the demo database from scratch')
  .option('--config <file>', 'also offer the connections in this file')
  .option('--no-open', 'do not open a Chromium window')
  .addOption(new Option('--shell <shell>', 'which shell to run').choices(['auto', 'electron', 'browser']).default('auto'))
  .action(async (opts: { port?: number; dataDir?: string; resetDemo?: boolean; open: boolean; shell: 'auto' | 'electron' | 'browser'; config?: string }) => {
    process.exitCode = await runDemoCommand(opts);
  });

program
  .command('connections')
  .description('List the configured connections (the demo’s when no config is given)')
  .option('--json', 'print JSON')
  .option('--config <file>', 'connections file (default: $GATEHOUSE_CONFIG)')
  .action(async (opts: { json?: boolean; config?: string }) => {
    process.exitCode = await runConnectionsCommand(opts);
  });

program
  .command('doctor')
  .description('Check what this machine has for Gatehouse and its tests, and what to install')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    process.exitCode = await runDoctorCommand(opts);
  });

program
  .command('ssh <connection>')
  .description('Run one command on an SSH connection (demo-ssh: the offline demo target), guarded and masked; exits with the remote status')
  .option('-c, --command <command>', 'the command to run')
  .option('--config <file>', 'connections file (default: $GATEHOUSE_CONFIG)')
  .option('--policy <file>', 'policy file (default: the bundled policy)')
  .option('--data-dir <dir>', 'app-data folder: known hosts, and the demo log (default: the user app-data folder)')
  .addOption(new Option('--as <identity>', 'whose role applies').choices(['engineer', 'admin']).default('engineer'))
  .action(async (connection: string, opts: { command?: string; config?: string; policy?: string; dataDir?: string; as: string }) => {
    process.exitCode = await runSshCommand(connection, opts);
  });

program
  .command('check-command <line>')
  .description("Print the shell guard's decision for a command line, without connecting (exit 0 allow, 1 deny, 3 approve)")
  .option('--role <role>', 'policy role (default: support)')
  .option('--policy <file>', 'policy file (default: the bundled policy)')
  .option('--json', 'print JSON')
  .action(async (line: string, opts: { role?: string; policy?: string; json?: boolean }) => {
    process.exitCode = await runCheckCommandCommand(line, opts);
  });

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
    process.exitCode = await runSqlCommand(connection, opts);
  });

program
  .command('check-sql')
  .description('Print the guard’s decision for a statement without connecting (exit 0 = allowed)')
  .argument('<statement>', 'the SQL text to check')
  .option('--role <role>', 'policy role (default: support)')
  .option('--json', 'print JSON')
  .option('--policy <file>', 'policy file (default: the bundled default policy)')
  .action(async (statement: string, opts: { role?: string; json?: boolean; policy?: string }) => {
    process.exitCode = await runCheckSqlCommand(statement, opts);
  });

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
    process.exitCode = await runSecretsCommand(action, name, opts);
  });

registerStartCommand(program);
registerServerCommand(program);
registerApprovalsCommand(program);
registerVerifyCommand(program);
registerConnectCommand(program);
registerMcpCommand(program);
registerServiceIdentitiesCommand(program);

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got "${value}"`);
  return port;
}

await program.parseAsync(process.argv);
