/**
 * `gatehouse approvals list|approve|deny`: an admin's inbox on the command line, against the
 * policy server. Where the server and the token come from:
 * - `--server URL` with the bearer token in $GATEHOUSE_TOKEN (an OIDC access token), or
 * - the running offline demo in --data-dir, acting as a demo identity (`--as`, default admin).
 *
 * Only the commands' shape is here; approvals-run.ts is loaded when one runs (see gatehouse.ts).
 */
import { join } from 'node:path';
import type { ApprovalRequest } from '@gatehouse/gateway-core';
import { Option, type Command } from 'commander';

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

/**
 * The ids of gateway-core's DEMO_IDENTITIES, written out because importing them would load all of
 * gateway-core for `--help` (approvals-run.ts refuses an id the demo no longer has).
 */
const DEMO_IDENTITY_IDS = ['engineer', 'admin'];

export function registerApprovalsCommand(program: Command): void {
  const approvals = program.command('approvals').description('List and decide approval requests on the policy server (admins)');
  const common = (cmd: Command): Command =>
    cmd
      .option('--server <url>', 'policy server URL (token in $GATEHOUSE_TOKEN); default: the running demo')
      .option('--data-dir <dir>', 'the demo’s app-data folder (default: the user app-data folder)')
      .addOption(new Option('--as <identity>', 'demo identity to act as').choices(DEMO_IDENTITY_IDS).default('admin'))
      .option('--json', 'print JSON');

  common(approvals.command('list').description('Pending requests you may decide (and your own); --status for others'))
    .addOption(new Option('--status <status>', 'only requests in this state').choices(['pending', 'approved', 'denied', 'cancelled', 'expired', 'used']))
    .action(async (opts: CommonOptions & { status?: ApprovalRequest['status'] }) => {
      const { runApprovalsList } = await import('./approvals-run.js');
      process.exitCode = await runApprovalsList(opts);
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
        const { runApprovalsDecision } = await import('./approvals-run.js');
        process.exitCode = await runApprovalsDecision(decision, id, opts);
      });
  }
}
