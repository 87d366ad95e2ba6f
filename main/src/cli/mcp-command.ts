/**
 * `gatehouse mcp`: Gatehouse connections as Model Context Protocol tools for AI agents, on stdio
 * (the client spawns it) or with --http on 127.0.0.1. stdout belongs to the protocol: everything
 * else goes to stderr and the log.
 *
 * - `--demo`: the offline demo's connections, as the demo's `agent` identity. Approvals go to the
 *   running demo app's policy server when one is up (so an admin approves in the app, and replays
 *   the agent's calls there), otherwise to an in-process one of its own.
 * - `--config FILE`: the file's connections, as the service identity whose token is in
 *   $GATEHOUSE_AGENT_TOKEN, against the file's policy server (required: the identity comes from it).
 *
 * Only the command's shape is here; mcp-run.ts is loaded when it runs (see gatehouse.ts).
 */
import type { Command } from 'commander';
import { parsePortOption } from './cli-options.js';

export interface McpCommandOptions {
  demo?: boolean;
  config?: string;
  dataDir?: string;
  /** true: --http with a free port; a number: that port. */
  http?: boolean | number;
}

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Serve Gatehouse connections to AI agents over the Model Context Protocol (stdio, or --http)')
    .option('--demo', 'the offline demo’s connections, as the demo’s agent identity')
    .option('--config <file>', 'connections file with a policyServer block; the agent token is read from $GATEHOUSE_AGENT_TOKEN')
    .option('--data-dir <dir>', 'where Gatehouse keeps its state (default: the user app-data folder)')
    .option('--http [port]', 'streamable HTTP on 127.0.0.1 instead of stdio (bearer token from $GATEHOUSE_MCP_TOKEN, or a new one)', parsePortOption)
    .action(async (opts: McpCommandOptions) => {
      const { runMcpCommand } = await import('./mcp-run.js');
      process.exitCode = await runMcpCommand(opts);
    });
}

