/**
 * The Model Context Protocol face of gateway-core's agent tools: one McpServer per client
 * session, whose tools validate input with the tools' zod schemas and return what the tools
 * answered, unchanged. Nothing here sees a credential or an unmasked value; it only carries text.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { AGENT_TOOLS, type AgentTools, type CallContext, type ToolOutcome } from '@gatehouse/gateway-core';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface AgentMcpServerOptions {
  version: string;
  /** Shown to the model at initialisation: who it acts as and under what rules. */
  identityName: string;
}

const INSTRUCTIONS = (who: string): string =>
  `Gatehouse brokers access to production databases and servers for ${who}. Every statement and command is checked against policy, results are masked, ` +
  'and every call is recorded. Start with list_connections. A refused action returns the reason; change the action rather than retrying it. ' +
  'An action held for a human approval returns a request id: wait for the decision with approval_status; once approved it runs exactly once.';

export function createAgentMcpServer(tools: AgentTools, o: AgentMcpServerOptions): McpServer {
  const server = new McpServer({ name: 'gatehouse', version: o.version }, { instructions: INSTRUCTIONS(o.identityName), capabilities: { tools: {} } });
  const context = (extra: Extra): CallContext => {
    const client = server.server.getClientVersion();
    const token = extra._meta?.progressToken;
    return {
      signal: extra.signal,
      ...(client ? { client: `${client.name}/${client.version}` } : {}),
      ...(extra.sessionId ? { mcpSession: extra.sessionId } : {}),
      ...(token !== undefined
        ? {
            progress: ({ elapsedSeconds, totalSeconds, message }) =>
              void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: elapsedSeconds, total: totalSeconds, message } }).catch(() => undefined),
          }
        : {}),
    };
  };
  const annotations = (readOnly: boolean): { readOnlyHint: boolean; destructiveHint: boolean; openWorldHint: boolean } => ({ readOnlyHint: readOnly, destructiveHint: !readOnly, openWorldHint: false });
  const { list_connections, describe_schema, query, run_command, request_approval, approval_status } = AGENT_TOOLS;

  server.registerTool('list_connections', { description: list_connections.description, inputSchema: list_connections.input, annotations: annotations(true) }, async (_args, extra) =>
    result(await tools.listConnections(context(extra))),
  );
  server.registerTool('describe_schema', { description: describe_schema.description, inputSchema: describe_schema.input, annotations: annotations(true) }, async (args, extra) =>
    result(await tools.describeSchema(args, context(extra))),
  );
  server.registerTool('query', { description: query.description, inputSchema: query.input, annotations: annotations(false) }, async (args, extra) => result(await tools.query(args, context(extra))));
  server.registerTool('run_command', { description: run_command.description, inputSchema: run_command.input, annotations: annotations(false) }, async (args, extra) =>
    result(await tools.runCommand(args, context(extra))),
  );
  server.registerTool('request_approval', { description: request_approval.description, inputSchema: request_approval.input, annotations: annotations(false) }, async (args, extra) =>
    result(await tools.requestApproval(args, context(extra))),
  );
  server.registerTool('approval_status', { description: approval_status.description, inputSchema: approval_status.input, annotations: annotations(false) }, async (args, extra) =>
    result(await tools.approvalStatus(args, context(extra))),
  );
  return server;
}

function result(o: ToolOutcome): CallToolResult {
  return { content: [{ type: 'text', text: o.text }], structuredContent: o.data, ...(o.isError ? { isError: true } : {}) };
}
