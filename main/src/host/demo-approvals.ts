/**
 * The offline demo's approvals: the built-in issuer and the policy server, in-process on
 * 127.0.0.1, with PGlite in the demo's data folder. It writes where the server is, so that
 * `gatehouse approvals --data-dir …` can act on the running demo, and removes that at stop.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DemoIssuer, type PolicyServerOptions } from '@gatehouse/gateway-core';
import { startDemoPolicyServer } from '@gatehouse/policy-server';
import { demoPolicyServerFiles } from '../cli/approvals-command.js';

export interface DemoApprovals {
  issuer: DemoIssuer;
  policyServer: PolicyServerOptions;
  stop(): Promise<void>;
}

export async function startDemoApprovals(dataDir: string): Promise<DemoApprovals> {
  const { serverFile, issuerKeyFile } = demoPolicyServerFiles(dataDir);
  const issuer = await DemoIssuer.openOrCreate(issuerKeyFile);
  // Beside the demo folder, not in it: a demo reset rebuilds that folder from scratch.
  const storage = join(dataDir, 'demo-approvals', 'policy-server');
  mkdirSync(storage, { recursive: true });
  // Opening PGlite takes seconds on a first run; the app does not wait for it, approvals do.
  const server = startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }, dataDir: storage });
  const url = server.then((s) => {
    writeFileSync(serverFile, JSON.stringify({ url: s.url }), { mode: 0o600 });
    return s.url;
  });
  return {
    issuer,
    policyServer: { url },
    async stop() {
      rmSync(serverFile, { force: true });
      await (await server.catch(() => null))?.close();
    },
  };
}
