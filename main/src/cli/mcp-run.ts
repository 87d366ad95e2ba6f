// What `gatehouse mcp` does; mcp-command.ts registers it. stdout belongs to the protocol.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, defaultAppDataDir, loadConnectionsFile, type Gateway } from '@gatehouse/gateway-core';
import { createAgentMcpServer } from '../mcp/agent-mcp-server.js';
import { startMcpHttp } from '../mcp/mcp-http.js';
import { startConfiguredAgent, startDemoAgent, type AgentGateway } from '../mcp/agent-gateway.js';
import { readPackageVersion } from '../host/paths.js';
import { waitForStopSignal } from '../host/browser-shell-host.js';
import { configPathFrom } from './cli-connections.js';
import type { McpCommandOptions } from './mcp-command.js';

export async function runMcpCommand(opts: McpCommandOptions): Promise<number> {
  const log = (msg: string): void => void process.stderr.write(`gatehouse mcp: ${msg}\n`);
  const dataDir = opts.dataDir ?? defaultAppDataDir();
  const configPath = opts.demo ? undefined : configPathFrom(opts.config);
  if (!opts.demo && !configPath) {
    log('give --demo for the offline demo, or --config FILE with your connections and policy server');
    return 2;
  }
  let agent: AgentGateway;
  try {
    if (configPath) {
      const file = loadConnectionsFile(configPath);
      const token = process.env.GATEHOUSE_AGENT_TOKEN;
      if (!file.policyServer) throw new ConfigError(configPath, undefined, 'gatehouse mcp needs a policyServer block (the agent’s identity and approvals come from it)');
      if (!token) {
        log('set GATEHOUSE_AGENT_TOKEN to the agent’s service-identity token (an admin creates one with `gatehouse service-identities create`)');
        return 2;
      }
      agent = await startConfiguredAgent({ file, policyServerUrl: file.policyServer.url, token, dataDir });
    } else {
      agent = await startDemoAgent({ dataDir, log });
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      log(`invalid config: ${e.message}`);
      return 2;
    }
    log(e instanceof Error ? e.message : String(e));
    return 1;
  }
  const { gateway } = agent;
  const identity = gateway.identity.current();
  const newServer = (): ReturnType<typeof createAgentMcpServer> => createAgentMcpServer(gateway.agentTools, { version: readPackageVersion(), identityName: identity?.displayName ?? 'an AI agent' });
  log(`serving as ${identity?.displayName ?? '(no identity)'} (${identity?.id ?? '-'}); log: ${agent.logFile}`);

  try {
    if (opts.http !== undefined && opts.http !== false) {
      const token = process.env.GATEHOUSE_MCP_TOKEN || randomBytes(32).toString('base64url');
      const http = await startMcpHttp({ port: opts.http === true ? 0 : opts.http, token, newServer, log });
      if (!process.env.GATEHOUSE_MCP_TOKEN) {
        const tokenFile = join(dataDir, 'mcp', 'http-token');
        mkdirSync(join(dataDir, 'mcp'), { recursive: true });
        writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
        log(`bearer token written to ${tokenFile} (0600)`);
      }
      log(`listening on ${http.url}`);
      await waitForStopSignal();
      await http.close();
    } else {
      const server = newServer();
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => {
        transport.onclose = () => resolve();
        process.stdin.once('end', () => resolve());
      });
      await server.connect(transport);
      await Promise.race([closed, waitForStopSignal()]);
      await server.close();
    }
  } finally {
    await closeQuietly(agent);
  }
  return 0;
}

async function closeQuietly(agent: { gateway: Gateway; close(): Promise<void> }): Promise<void> {
  try {
    await agent.close();
  } catch {
    // Stopping anyway; the log has what failed.
  }
}
