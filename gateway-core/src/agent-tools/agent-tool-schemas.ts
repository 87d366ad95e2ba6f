/**
 * The agent tools' inputs, as zod schemas: the MCP server publishes them as JSON Schema and
 * validates every call with them before a tool runs. Descriptions are written for the model.
 */
import { z } from 'zod';

const Connection = z.string().min(1).max(100).describe('Connection id, as list_connections shows it');
const WaitSeconds = z
  .number()
  .int()
  .min(0)
  .max(600)
  .optional()
  .describe('If the action needs a human approval, wait up to this many seconds for the decision (progress is reported while waiting). Default 0: return at once with the request id.');
const Justification = z.string().trim().min(1).max(2_000).describe('Why this is needed, for the human approver');

export const ListConnectionsInput = z.object({}).strict();

export const DescribeSchemaInput = z
  .object({
    connection: Connection,
    schema: z.string().min(1).max(200).optional().describe('Only this schema (e.g. public)'),
    table: z.string().min(1).max(200).optional().describe('Only this table or view'),
  })
  .strict();

export const QueryInput = z
  .object({
    connection: Connection,
    sql: z.string().min(1).max(100_000).describe('Exactly one SQL statement'),
    max_rows: z.number().int().min(1).max(200).optional().describe('Rows to return (default 50); a note says when more exist'),
    justification: Justification.optional(),
    wait_seconds: WaitSeconds,
  })
  .strict();

export const RunCommandInput = z
  .object({
    connection: Connection,
    command: z.string().min(1).max(10_000).describe('One shell command line, run non-interactively (no terminal)'),
    timeout_seconds: z.number().int().min(1).max(600).optional().describe('Stop the command after this long (default 60)'),
    justification: Justification.optional(),
    wait_seconds: WaitSeconds,
  })
  .strict();

export const RequestApprovalInput = z
  .object({
    connection: Connection,
    sql: z.string().min(1).max(100_000).optional().describe('The SQL statement to approve (give sql or command)'),
    command: z.string().min(1).max(10_000).optional().describe('The shell command to approve (give sql or command)'),
    justification: Justification,
    wait_seconds: WaitSeconds,
  })
  .strict();

export const ApprovalStatusInput = z
  .object({
    request_id: z.string().min(1).max(100).describe('The request id a held query, run_command or request_approval returned'),
    wait_seconds: WaitSeconds,
  })
  .strict();

export type DescribeSchemaInput = z.infer<typeof DescribeSchemaInput>;
export type QueryInput = z.infer<typeof QueryInput>;
export type RunCommandInput = z.infer<typeof RunCommandInput>;
export type RequestApprovalInput = z.infer<typeof RequestApprovalInput>;
export type ApprovalStatusInput = z.infer<typeof ApprovalStatusInput>;

/** The tools, their inputs, and what the model is told about each. */
export const AGENT_TOOLS = {
  list_connections: {
    input: ListConnectionsInput,
    description: 'List the database and server connections this agent may use through Gatehouse.',
    readOnly: true,
  },
  describe_schema: {
    input: DescribeSchemaInput,
    description: 'Schemas, tables and columns of a PostgreSQL connection.',
    readOnly: true,
  },
  query: {
    input: QueryInput,
    description:
      'Run one SQL statement on a PostgreSQL connection through Gatehouse. Sensitive values in results are masked. The policy may refuse the statement (the reason is returned) or hold it for a human approval (the request id is returned; see approval_status).',
    readOnly: false,
  },
  run_command: {
    input: RunCommandInput,
    description:
      'Run one shell command on an SSH connection through Gatehouse (non-interactive). Output is masked; the exit status is returned. The policy may refuse the command or hold it for a human approval.',
    readOnly: false,
  },
  request_approval: {
    input: RequestApprovalInput,
    description: 'Ask a human approver to allow one SQL statement or shell command that the policy holds for approval. Once approved it runs exactly once; get its result with approval_status.',
    readOnly: false,
  },
  approval_status: {
    input: ApprovalStatusInput,
    description: 'The state of an approval request this agent made; once approved, the held action runs once and its result is returned here. Can wait for the decision.',
    readOnly: false,
  },
} as const;

export type AgentToolName = keyof typeof AGENT_TOOLS;
