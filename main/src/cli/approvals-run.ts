/**
 * What `gatehouse approvals list|approve|deny` do (approvals-command.ts registers them), and the
 * policy-server client shared with `gatehouse service-identities`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DEMO_IDENTITIES, DemoIssuer, defaultAppDataDir, GatehouseError, PolicyServerClient, type ApprovalRequest } from '@gatehouse/gateway-core';
import { z } from 'zod';
import { demoPolicyServerFiles, type CommonOptions } from './approvals-command.js';

const DemoServerFile = z.object({ url: z.string().url() });

export async function runApprovalsList(opts: CommonOptions & { status?: ApprovalRequest['status'] }): Promise<number> {
  return run(opts, async (client) => {
    const requests = await client.listRequests({ scope: 'all', ...(opts.status ? { status: opts.status } : { status: 'pending' }) });
    if (opts.json) return void process.stdout.write(`${JSON.stringify(requests.map(({ grant: _g, ...r }) => r), null, 2)}\n`);
    if (requests.length === 0) return void process.stdout.write(`no ${opts.status ?? 'pending'} requests\n`);
    for (const r of requests) process.stdout.write(describe(r));
  });
}

export async function runApprovalsDecision(decision: 'approve' | 'deny', id: string, opts: CommonOptions & { reason?: string }): Promise<number> {
  return run(opts, async (client) => {
    const r = await client.decide(id, decision, opts.reason ?? '');
    if (opts.json) process.stdout.write(`${JSON.stringify({ ...r, grant: undefined }, null, 2)}\n`);
    else process.stdout.write(`${r.id}: ${r.status}${r.status === 'pending' ? ` (${r.decisions.length} of ${r.requiredApprovals} approvals)` : ''}\n`);
  });
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
  // --as offers a fixed list (approvals-command.ts), so that registering it loads no gateway-core;
  // should the demo's identities change without it, say so rather than sign for nobody.
  const identity = DEMO_IDENTITIES.find((i) => i.id === opts.as);
  if (!identity) throw new Error(`no demo identity "${opts.as}" (demo identities: ${DEMO_IDENTITIES.map((i) => i.id).join(', ')})`);
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
