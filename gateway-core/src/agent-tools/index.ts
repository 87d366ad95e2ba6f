export { AgentTools, type AgentToolsDeps, type CallContext } from './agent-tools.js';
export { AGENT_TOOLS, type AgentToolName } from './agent-tool-schemas.js';
export * from './agent-tool-schemas.js';
export type { ToolOutcome } from './tool-output.js';
