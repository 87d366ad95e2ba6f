/**
 * `gatehouse approvals list|approve|deny`: an admin's inbox on the command line, against the
 * policy server. Where the server and the token come from:
 * - `--server URL` with the bearer token in $GATEHOUSE_TOKEN (an OIDC access token), or
 * - the running offline demo in --data-dir, acting as a demo identity (`--as`, default admin).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_IDENTITIES, DemoIssuer, defaultAppDataDir, GatehouseError, PolicyServerClient, type ApprovalRequest } from '@gatehouse/gateway-core';
import { Option, type Command } from 'commander';
import { z } from 'zod';

const DemoServerFile = z.object({ url: z.string().url() });

/** Where the running demo says its in-process policy server is, and the key its issuer signs with. */
export function demoPolicyServerFiles(dataDir: string): { serverFile: string; issuerKeyFile: string } {
  return { serverFile: join(dataDir, 'demo-approvals', 'policy-server.json'), issuerKeyFile: join(dataDir, 'demo-approvals', 'issuer-key.json') };
}

export interface CommonOptions {
  server?: string;
  dataDir?: string;
  as: string;
  json?: boolean;
}

export function registerApprovalsCommand(program: Command): void {
  const approvals = program.command('approvals').description('List and decide approval requests on the policy server (admins)');
  const common = (cmd: Command): Command =>
    cmd
      .option('--server <url>', 'policy server URL (token in $GATEHOUSE_TOKEN); default: the running demo')
      .option('--data-dir <dir>', 'the demo’s app-data folder (default: the user app-data folder)')
      .addOption(new Option('--as <identity>', 'demo identity to act as').choices(DEMO_IDENTITIES.map((i) => i.id)).default('admin'))
      .option('--json', 'print JSON');

  common(approvals.command('list').description('Pending requests you may decide (and your own); --status for others'))
    .addOption(new Option('--status <status>', 'only requests in this state').choices(['pending', 'approved', 'denied', 'cancelled', 'expired', 'used']))
    .action(async (opts: CommonOptions & { status?: ApprovalRequest['status'] }) => {
      process.exitCode = await run(opts, async (client) => {
        const requests = await client.listRequests({ scope: 'all', ...(opts.status ? { status: opts.status } : { status: 'pending' }) });
        if (opts.json) return void process.stdout.write(`${JSON.stringify(requests.map(({ grant: _g, ...r }) => r), null, 2)}\n`);
        if (requests.length === 0) return void process.stdout.write(`no ${opts.status ?? 'pending'} requests\n`);
        for (const r of requests) process.stdout.write(describe(r));
      });
    });

  for (const decision of ['approve', 'deny'] as const) {
    common(approvals.command(`${decision} <id>`).description(decision === 'approve' ? 'Approve a pending request' : 'Deny a pending request (a reason is required)'))
      .option('--reason <text>', decision === 'approve' ? 'why (recorded in the audit log)' : 'why (shown to the requester)')
      .action(async (id: string, opts: CommonOptions & { reason?: string }) => {
        if (decision === 'deny' && !opts.reason?.trim()) {
          process.stderr.write('gatehouse approvals deny: --reason is required; the requester sees it\n');
          process.exitCode = 2;
          return;
        }
        process.exitCode = await run(opts, async (client) => {
          const r = await client.decide(id, decision, opts.reason ?? '');
          if (opts.json) process.stdout.write(`${JSON.stringify({ ...r, grant: undefined }, null, 2)}\n`);
          else process.stdout.write(`${r.id}: ${r.status}${r.status === 'pending' ? ` (${r.decisions.length} of ${r.requiredApprovals} approvals)` : ''}\n`);
        });
      });
  }
}

/** Runs one subcommand against the server; the exit code (1 refused, 3 unreachable). Shared with `service-identities`. */
export async function run(opts: CommonOptions, body: (client: PolicyServerClient) => Promise<void>, command = 'approvals'): Promise<number> {
  try {
    await body(await clientFor(opts));
    return 0;
  } catch (err) {
    const message = err instanceof GatehouseError ? err.message : err instanceof Error ? err.message : String(err);
    process.stderr.write(`gatehouse ${command}: ${message}\n`);
    return err instanceof GatehouseError && err.code === 'unavailable' ? 3 : 1;
  }
}

export async function clientFor(opts: CommonOptions): Promise<PolicyServerClient> {
  if (opts.server) {
    const token = process.env.GATEHOUSE_TOKEN;
    if (!token) throw new Error('--server needs a bearer token in $GATEHOUSE_TOKEN (your OIDC access token)');
    return new PolicyServerClient({ baseUrl: opts.server, accessToken: async () => token });
  }
  const { serverFile, issuerKeyFile } = demoPolicyServerFiles(opts.dataDir ?? defaultAppDataDir());
  if (!existsSync(serverFile) || !existsSync(issuerKeyFile)) {
    throw new Error('no policy server: start the demo (npm start) in this --data-dir, or pass --server URL with $GATEHOUSE_TOKEN');
  }
  const { url } = DemoServerFile.parse(JSON.parse(readFileSync(serverFile, 'utf8')));
  const issuer = await DemoIssuer.openOrCreate(issuerKeyFile);
  const identity = DEMO_IDENTITIES.find((i) => i.id === opts.as)!;
  return new PolicyServerClient({ baseUrl: url, accessToken: () => issuer.tokenFor(identity) });
}

function describe(r: ApprovalRequest): string {
  const age = Math.round((Date.now() - Date.parse(r.createdAt)) / 60_000);
  const what = r.kind === 'access' ? `access for ${r.durationMinutes} min` : `${r.kind}${r.actionClass ? ` (${r.actionClass})` : ''}: ${r.action}`;
  return [
    `${r.id}  ${r.status}  ${r.connectionId}  by ${r.requesterName} (${r.requester}), ${age} min ago`,
    `  ${what.replace(/\n/g, '\n  ')}`,
    ...(r.rule ? [`  rule: ${r.rule}`] : []),
    `  why: ${r.justification}`,
    '',
  ].join('\n');
}
