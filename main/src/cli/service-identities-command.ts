/**
 * `gatehouse service-identities create|list|revoke`: an admin manages the policy server's service
 * identities (the identities agents such as `gatehouse mcp` run as). The server and the admin's
 * token come from the same places as for `gatehouse approvals`: `--server URL` with the bearer
 * token in $GATEHOUSE_TOKEN, or the running demo in --data-dir, acting as the demo admin.
 *
 * Only the commands' shape is here; service-identities-run.ts is loaded when one runs (see gatehouse.ts).
 */
import { InvalidArgumentError, type Command } from 'commander';

export interface ServiceIdentitiesOptions {
  server?: string;
  dataDir?: string;
  json?: boolean;
}

export function registerServiceIdentitiesCommand(program: Command): void {
  const cmd = program.command('service-identities').description('Create, list and revoke service identities (agent identities) on the policy server (admins)');
  const common = (c: Command): Command =>
    c
      .option('--server <url>', 'policy server URL (admin token in $GATEHOUSE_TOKEN); default: the running demo, as its admin')
      .option('--data-dir <dir>', 'the demo’s app-data folder (default: the user app-data folder)')
      .option('--json', 'print JSON');

  common(cmd.command('create <name>').description('Create a service identity and print its token (shown this once)'))
    .requiredOption('--group <group>', 'a group that maps to its policy roles (repeat for several)', (v: string, all: string[] | undefined) => [...(all ?? []), v])
    .option('--display-name <text>', 'how it is shown in approvals and sessions (default: the name)')
    .option('--expires-in-days <n>', 'the token stops working after this many days (default: never; revoke to stop it)', positiveInt)
    .action(async (name: string, opts: ServiceIdentitiesOptions & { group: string[]; displayName?: string; expiresInDays?: number }) => {
      const { runServiceIdentitiesCreate } = await import('./service-identities-run.js');
      process.exitCode = await runServiceIdentitiesCreate(name, opts);
    });

  common(cmd.command('list').description('Every service identity, with its status and roles (never tokens)')).action(async (opts: ServiceIdentitiesOptions) => {
    const { runServiceIdentitiesList } = await import('./service-identities-run.js');
    process.exitCode = await runServiceIdentitiesList(opts);
  });

  common(cmd.command('revoke <id-or-name>').description('Revoke a service identity: its token is refused from then on')).action(async (idOrName: string, opts: ServiceIdentitiesOptions) => {
    const { runServiceIdentitiesRevoke } = await import('./service-identities-run.js');
    process.exitCode = await runServiceIdentitiesRevoke(idOrName, opts);
  });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of days, 1 or more');
  return n;
}
