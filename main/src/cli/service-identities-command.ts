/**
 * `gatehouse service-identities create|list|revoke`: an admin manages the policy server's service
 * identities (the identities agents such as `gatehouse mcp` run as). The server and the admin's
 * token come from the same places as for `gatehouse approvals`: `--server URL` with the bearer
 * token in $GATEHOUSE_TOKEN, or the running demo in --data-dir, acting as the demo admin.
 */
import type { ServiceIdentity } from '@gatehouse/gateway-core';
import { InvalidArgumentError, type Command } from 'commander';
import { run } from './approvals-command.js';

interface Options {
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
  // Managing identities is an admin's job; in the demo that is always Ada.
  const asAdmin = (opts: Options, body: Parameters<typeof run>[1]): Promise<number> => run({ ...opts, as: 'admin' }, body, 'service-identities');

  common(cmd.command('create <name>').description('Create a service identity and print its token (shown this once)'))
    .requiredOption('--group <group>', 'a group that maps to its policy roles (repeat for several)', (v: string, all: string[] | undefined) => [...(all ?? []), v])
    .option('--display-name <text>', 'how it is shown in approvals and sessions (default: the name)')
    .option('--expires-in-days <n>', 'the token stops working after this many days (default: never; revoke to stop it)', positiveInt)
    .action(async (name: string, opts: Options & { group: string[]; displayName?: string; expiresInDays?: number }) => {
      process.exitCode = await asAdmin(opts, async (client) => {
        const created = await client.createServiceIdentity({
          name,
          groups: opts.group,
          ...(opts.displayName ? { displayName: opts.displayName } : {}),
          ...(opts.expiresInDays !== undefined ? { expiresInDays: opts.expiresInDays } : {}),
        });
        const i = created.identity;
        // On stderr, so that --json output stays parseable.
        if (i.roles.length === 0) process.stderr.write(`warning: the groups ${i.groups.join(', ')} map to no role under the current policy, so this identity may reach nothing\n`);
        if (opts.json) return void process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
        process.stdout.write(
          [
            `Created service identity ${i.name} (${i.id}), acting as ${i.subject}`,
            ...details(i),
            '',
            'Its token, shown only this once (the server keeps only a hash; a lost token means revoke and create another):',
            created.token,
            '',
          ].join('\n'),
        );
      });
    });

  common(cmd.command('list').description('Every service identity, with its status and roles (never tokens)')).action(async (opts: Options) => {
    process.exitCode = await asAdmin(opts, async (client) => {
      const identities = await client.listServiceIdentities();
      if (opts.json) return void process.stdout.write(`${JSON.stringify(identities, null, 2)}\n`);
      if (identities.length === 0) return void process.stdout.write('no service identities\n');
      for (const i of identities) process.stdout.write([`${i.id}  ${i.name}  ${i.status}`, ...details(i), ''].join('\n'));
    });
  });

  common(cmd.command('revoke <id-or-name>').description('Revoke a service identity: its token is refused from then on')).action(async (idOrName: string, opts: Options) => {
    process.exitCode = await asAdmin(opts, async (client) => {
      // Names are unique and never reused, so either one names exactly one identity.
      const all = await client.listServiceIdentities();
      const target = all.find((i) => i.id === idOrName) ?? all.find((i) => i.name === idOrName);
      if (!target) throw new Error(`no service identity with the id or name "${idOrName}" (see \`gatehouse service-identities list\`)`);
      const revoked = await client.revokeServiceIdentity(target.id);
      if (opts.json) process.stdout.write(`${JSON.stringify(revoked, null, 2)}\n`);
      else process.stdout.write(`${revoked.name} (${revoked.id}): revoked\n`);
    });
  });
}

function details(i: ServiceIdentity): string[] {
  return [
    `  display name: ${i.displayName}`,
    `  groups: ${i.groups.join(', ')} → roles: ${i.roles.join(', ') || '(none)'}`,
    `  created ${i.createdAt} by ${i.createdBy}; expires ${i.expiresAt ?? 'never'}`,
    ...(i.revokedAt ? [`  revoked ${i.revokedAt} by ${i.revokedBy ?? '?'}`] : []),
  ];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of days, 1 or more');
  return n;
}
