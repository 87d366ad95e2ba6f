/**
 * The gateway an MCP server runs on: gateway-core as the agent's identity, with its own
 * recordings spool and log, so that it can run beside the desktop app on the same data folder.
 */
import { join } from 'node:path';
import {
  createGateway,
  createLogger,
  DEMO_AGENT_IDENTITY,
  type DemoIssuer,
  loadPolicyFile,
  openSecretStore,
  parsePolicyYaml,
  PolicyServerClient,
  PolicyStore,
  SecretResolver,
  SecretScrubber,
  ServiceIdentityProvider,
  startDemoGateway,
  type ConnectionsFile,
  type Gateway,
  type PolicyServerOptions,
} from '@gatehouse/gateway-core';
import { startDemoApprovals } from '../host/demo-approvals.js';
import { runningDemoApp } from '../host/running-demo-app.js';
import { readPackageVersion } from '../host/paths.js';

export interface AgentGateway {
  gateway: Gateway;
  logFile: string;
  close(): Promise<void>;
}

/** The demo's connections as its `agent`, in `<dataDir>/mcp-demo` (its own embedded targets). */
export async function startDemoAgent(o: { dataDir: string; log: (message: string) => void }): Promise<AgentGateway> {
  const ownDir = join(o.dataDir, 'mcp-demo');
  const joined = await runningDemoApp(o.dataDir);
  let issuer: DemoIssuer;
  let policyServer: PolicyServerOptions;
  let stopApprovals = async (): Promise<void> => undefined;
  if (joined) {
    ({ issuer, policyServer } = joined);
    o.log(`approvals and recordings go to the running demo app’s policy server (${joined.url}); approve in the app or with \`gatehouse approvals\``);
  } else {
    const own = await startDemoApprovals(ownDir);
    ({ issuer, policyServer } = own);
    stopApprovals = own.stop;
    o.log(`no demo app is running: approvals go to an in-process policy server; decide with \`gatehouse approvals list --data-dir ${ownDir}\``);
  }
  const gateway = startDemoGateway({
    dataDir: ownDir,
    identityId: DEMO_AGENT_IDENTITY.id,
    issuer,
    policyServer,
    ...(process.env.GATEHOUSE_DEMO_DB_PASSWORD ? { demoDatabasePassword: process.env.GATEHOUSE_DEMO_DB_PASSWORD } : {}),
    shell: 'browser',
    version: readPackageVersion(),
    onProgress: o.log,
  });
  // Not awaited: the client's initialize must not wait for a first run's seeding; a tool call
  // that needs a connection still starting waits for it (agent-runners.ts).
  void gateway.ready.then((env) => o.log(env ? 'the demo connections are ready' : 'the demo targets did not start; list_connections says why'));
  return {
    gateway,
    logFile: gateway.logFile,
    async close() {
      await gateway.close();
      await stopApprovals();
    },
  };
}

/** A configured file's connections as the service identity whose token this is. */
export async function startConfiguredAgent(o: { file: ConnectionsFile; policyServerUrl: string; token: string; dataDir: string }): Promise<AgentGateway> {
  const logFile = join(o.dataDir, 'logs', 'gatehouse-mcp.log');
  const scrubber = new SecretScrubber();
  scrubber.remember(o.token);
  const logger = createLogger({ file: logFile, scrubber });
  const identity = await ServiceIdentityProvider.connect({ policyServerUrl: o.policyServerUrl, token: o.token });
  // The server's policy governs from the first call: the agent's role may exist only there.
  const client = new PolicyServerClient({ baseUrl: o.policyServerUrl, accessToken: () => identity.accessToken() });
  const current = await client.currentPolicy();
  const policy = new PolicyStore(current ? parsePolicyYaml(current.yaml, `policy v${current.version}`) : loadPolicyFile());
  const gateway = createGateway({
    appInfo: { version: readPackageVersion(), mode: 'configured', shell: 'browser' },
    connections: o.file.connections,
    identity,
    secrets: new SecretResolver(openSecretStore(o.dataDir), scrubber),
    policy,
    terminal: { knownHostsFile: join(o.dataDir, 'known_hosts.json') },
    policyServer: { url: o.policyServerUrl },
    // Its own spool: the app's uploader would take the MCP server's live recordings for crashed ones.
    recordings: { dir: join(o.dataDir, 'mcp', 'recordings') },
    logger,
  });
  return { gateway, logFile, close: () => gateway.close() };
}
