/**
 * Approvals part of the bridge contract: held SQL statements and shell lines, access requests,
 * the admin inbox, and the policy server's reachability. Grants never cross the bridge; they
 * stay in gateway-core, which verifies and spends them.
 */
import { z } from 'zod';
import { ApprovalRequest } from '../approvals/policy-server-api.js';
import { SqlRunResult } from './sql-schemas.js';

const Id = z.string().min(1).max(100);
const Justification = z.string().trim().min(3, 'say why, in at least 3 characters').max(2000);

/** A request as the UI sees it: the server's record without the grant, plus where it came from. */
export const ApprovalView = ApprovalRequest.omit({ grant: true }).extend({
  /** The editor tab's session (SQL) or the terminal (shell) that holds the action, on this app. */
  sessionId: z.string().nullable(),
  terminalId: z.string().nullable(),
  /** What happened when the approved action was run here: 'ran', or why it did not. */
  outcome: z.string().nullable(),
});
export type ApprovalView = z.infer<typeof ApprovalView>;

export const PolicyServerStatus = z.object({
  /** `none`: no policy server is configured, so nothing can be approved. */
  state: z.enum(['connected', 'connecting', 'unreachable', 'none']),
  detail: z.string().optional(),
  /** While unreachable: reads continue under the cached policy until then (ISO time). */
  readsAllowedUntil: z.string().optional(),
});
export type PolicyServerStatus = z.infer<typeof PolicyServerStatus>;

export const ApprovalRequestInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sql'), sessionId: Id, text: z.string().min(1).max(100_000), justification: Justification }).strict(),
  /** A line the terminal held (terminal.guard's heldId). */
  z.object({ kind: z.literal('shell'), terminalId: Id, heldId: Id, justification: Justification }).strict(),
  z.object({ kind: z.literal('access'), connectionId: Id, durationMinutes: z.number().int().min(1).max(7 * 24 * 60), justification: Justification }).strict(),
]);
export type ApprovalRequestInput = z.infer<typeof ApprovalRequestInput>;

export const approvalsMethods = {
  'approvals.request': { input: ApprovalRequestInput, output: ApprovalView },
  'approvals.list': {
    input: z.object({ scope: z.enum(['mine', 'inbox', 'all']).optional(), status: ApprovalRequest.shape.status.optional() }).strict(),
    output: z.object({ requests: z.array(ApprovalView) }),
  },
  'approvals.decide': {
    input: z.object({ requestId: Id, decision: z.enum(['approve', 'deny']), reason: z.string().trim().max(2000) }).strict(),
    output: ApprovalView,
  },
  'approvals.cancel': { input: z.object({ requestId: Id }).strict(), output: ApprovalView },
  'approvals.status': { input: z.object({}).strict(), output: PolicyServerStatus },
} as const;

export const approvalsEvents = {
  /** A request that concerns this user was created or changed (theirs, or one they may decide). */
  'approvals.changed': ApprovalView,
  /** An approved SQL statement ran in its tab's session: its result. */
  'approvals.sqlResult': z.object({ requestId: Id, sessionId: Id, result: SqlRunResult }),
  'policyServer.status': PolicyServerStatus,
} as const;
