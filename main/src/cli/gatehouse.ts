#!/usr/bin/env node
// The `gatehouse` CLI. Each *-command.ts module gives one command its shape (name, options, help)
// and imports only commander; its action loads the implementation (*-run.ts) when it runs. Loading
// gateway-core (pg, ssh2, the SQL parser, xterm, zod schemas) or the policy server costs about a
// second of CPU, which `--help`, `check-command` and every test that spawns the CLI would
// otherwise pay for commands they never run. Keep value imports of those out of this file and of
// the *-command.ts modules (type-only imports are fine).
import { Command } from 'commander';
import { readPackageVersion } from '../host/paths.js';
import { registerApprovalsCommand } from './approvals-command.js';
import { registerCheckCommandCommand } from './check-command-command.js';
import { registerCheckSqlCommand } from './check-sql-command.js';
import { registerConnectCommand } from './connect-command.js';
import { registerConnectionsCommand } from './connections-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerDoctorCommand } from './doctor-command.js';
import { registerMcpCommand } from './mcp-command.js';
import { registerSecretsCommand } from './secrets-command.js';
import { registerServerCommand } from './server-command.js';
import { registerServiceIdentitiesCommand } from './service-identities-command.js';
import { registerSqlCommand } from './sql-command.js';
import { registerSshCommand } from './ssh-command.js';
import { registerStartCommand } from './start-command.js';
import { registerVerifyCommand } from './verify-command.js';

// `gatehouse … | head` closes our stdout early; that is the reader's choice, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const program = new Command('gatehouse')
  .description('Guarded, masked, recorded access to PostgreSQL and SSH')
  .version(readPackageVersion(), '-v, --version');

// In this order in the help.
registerDemoCommand(program);
registerConnectionsCommand(program);
registerDoctorCommand(program);
registerSshCommand(program);
registerCheckCommandCommand(program);
registerSqlCommand(program);
registerCheckSqlCommand(program);
registerSecretsCommand(program);
registerStartCommand(program);
registerServerCommand(program);
registerApprovalsCommand(program);
registerVerifyCommand(program);
registerConnectCommand(program);
registerMcpCommand(program);
registerServiceIdentitiesCommand(program);

await program.parseAsync(process.argv);
