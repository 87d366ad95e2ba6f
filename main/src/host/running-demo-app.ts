/**
 * The demo app running in a data folder, as other processes on the same folder find it
 * (`gatehouse mcp --demo`, `gatehouse connect`): its policy server's URL, and the built-in issuer
 * whose tokens that server trusts, so that their approvals and recordings go to the app.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DemoIssuer, type PolicyServerOptions } from '@gatehouse/gateway-core';
import { z } from 'zod';
import { demoPolicyServerFiles } from '../cli/approvals-command.js';

const DemoServerFile = z.object({ url: z.string().url() });

export interface RunningDemoApp {
  url: string;
  issuer: DemoIssuer;
  policyServer: PolicyServerOptions;
}

/** The running demo app's policy server and issuer, or null when none answers in this data folder. */
export async function runningDemoApp(dataDir: string): Promise<RunningDemoApp | null> {
  const { serverFile, issuerKeyFile } = demoPolicyServerFiles(dataDir);
  if (!existsSync(serverFile) || !existsSync(issuerKeyFile)) return null;
  try {
    const { url } = DemoServerFile.parse(JSON.parse(readFileSync(serverFile, 'utf8')));
    const health = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(2_000) });
    if (!health.ok) return null;
    return { url, issuer: await DemoIssuer.openOrCreate(issuerKeyFile), policyServer: { url } };
  } catch {
    // A stale file from an app that did not stop cleanly: run on our own.
    return null;
  }
}
