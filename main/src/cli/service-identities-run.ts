// What `gatehouse service-identities create|list|revoke` do; service-identities-command.ts
// registers them. The server and the admin's token come as for `gatehouse approvals`.
import type { ServiceIdentity } from '@gatehouse/gateway-core';
import { run } from './approvals-run.js';
import type { ServiceIdentitiesOptions } from './service-identities-command.js';

// Managing identities is an admin's job; in the demo that is always Ada.
const asAdmin = (opts: ServiceIdentitiesOptions, body: Parameters<typeof run>[1]): Promise<number> => run({ ...opts, as: 'admin' }, body, 'service-identities');

export async function runServiceIdentitiesCreate(name: string, opts: ServiceIdentitiesOptions & { group: string[]; displayName?: string; expiresInDays?: number }): Promise<number> {
  return asAdmin(opts, async (client) => {
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
}

export async function runServiceIdentitiesList(opts: ServiceIdentitiesOptions): Promise<number> {
  return asAdmin(opts, async (client) => {
    const identities = await client.listServiceIdentities();
    if (opts.json) return void process.stdout.write(`${JSON.stringify(identities, null, 2)}\n`);
    if (identities.length === 0) return void process.stdout.write('no service identities\n');
    for (const i of identities) process.stdout.write([`${i.id}  ${i.name}  ${i.status}`, ...details(i), ''].join('\n'));
  });
}

export async function runServiceIdentitiesRevoke(idOrName: string, opts: ServiceIdentitiesOptions): Promise<number> {
  return asAdmin(opts, async (client) => {
    // Names are unique and never reused, so either one names exactly one identity.
    const all = await client.listServiceIdentities();
    const target = all.find((i) => i.id === idOrName) ?? all.find((i) => i.name === idOrName);
    if (!target) throw new Error(`no service identity with the id or name "${idOrName}" (see \`gatehouse service-identities list\`)`);
    const revoked = await client.revokeServiceIdentity(target.id);
    if (opts.json) process.stdout.write(`${JSON.stringify(revoked, null, 2)}\n`);
    else process.stdout.write(`${revoked.name} (${revoked.id}): revoked\n`);
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
