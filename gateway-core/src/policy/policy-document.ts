/**
 * The policy file (BRIEF §4): roles, each naming its connections, SQL class actions, shell
 * command rules, masking and limits. It is validated whole; an invalid policy is never used.
 */
import { z } from 'zod';
import { maskingPolicySchema } from '../masking/policy.js';
import { ShellPolicySchema } from './shell/index.js';
import { sqlClassPolicySchema, SUPPORT_SQL_CLASS_POLICY } from './sql/index.js';

const RoleName = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'role names are lowercase letters, digits, "_" or "-"');

export const RoleLimits = z
  .object({
    /** Rows fetched for one statement before the fetch stops and says so. */
    maxRows: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Upstream statement_timeout for unapproved statements. */
    statementTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
  })
  .strict();

/**
 * Who approves this role's held actions (SQL writes, shell lines marked "approve", access
 * requests): members of any `approvers` role, `required` distinct people, never the requester.
 */
export const RoleApproval = z
  .object({
    approvers: z.array(RoleName).min(1),
    required: z.number().int().min(1).max(10).default(1),
    /** A request nobody decided on expires after this. */
    pendingExpiryMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
    /** An approved action must be run within this. */
    grantExpiryMinutes: z.number().int().min(1).max(24 * 60).default(15),
  })
  .strict();
export type RoleApproval = z.output<typeof RoleApproval>;

/** Connections this role opens only while an approved, time-boxed access request is in force. */
export const AccessByRequest = z
  .object({
    connections: z.array(z.string().min(1)).min(1),
    maxDurationMinutes: z.number().int().min(1).max(7 * 24 * 60).default(240),
  })
  .strict();
export type AccessByRequest = z.output<typeof AccessByRequest>;

/** What of this role's sessions is recorded beyond the always-recorded output and decisions. */
export const RoleRecording = z
  .object({
    /** Record terminal keystrokes (`i` events, masked). Off by default: input holds typed passwords. */
    input: z.boolean().default(false),
  })
  .strict();
export type RoleRecording = z.output<typeof RoleRecording>;

export const RolePolicy = z
  .object({
    description: z.string().optional(),
    /** OIDC groups whose members take this role; without it, the group named like the role. */
    groups: z.array(z.string().min(1).max(200)).optional(),
    /** Connection ids (globs with *) this role may open. */
    connections: z.array(z.string().min(1)).default([]),
    sql: sqlClassPolicySchema.default(SUPPORT_SQL_CLASS_POLICY),
    shell: ShellPolicySchema.default({ rules: [], includeDefaultRules: true, defaultAction: 'allow', onUnparseable: 'deny' }),
    masking: maskingPolicySchema.default({ detectors: 'all', columns: {} }),
    limits: RoleLimits.default({ maxRows: 10_000, statementTimeoutMs: 30_000 }),
    /** Without it, this role's "approve" actions cannot be approved by anyone and so never run. */
    approval: RoleApproval.optional(),
    accessByRequest: AccessByRequest.optional(),
    recording: RoleRecording.default({ input: false }),
  })
  .strict();
export type RolePolicy = z.output<typeof RolePolicy>;

export const PolicyDocument = z
  .object({
    version: z.literal(1),
    roles: z.record(RoleName, RolePolicy).refine((roles) => Object.keys(roles).length > 0, 'at least one role is needed'),
    /** How long reads go on under the cached policy while the policy server is unreachable. */
    offline: z.object({ readGraceMinutes: z.number().int().min(0).max(24 * 60).default(15) }).strict().default({ readGraceMinutes: 15 }),
  })
  .strict()
  .superRefine((doc, ctx) => {
    for (const [name, role] of Object.entries(doc.roles)) {
      for (const approver of role.approval?.approvers ?? []) {
        if (!doc.roles[approver]) ctx.addIssue({ code: 'custom', path: ['roles', name, 'approval', 'approvers'], message: `approver role "${approver}" is not defined` });
      }
    }
  });
export type PolicyDocument = z.output<typeof PolicyDocument>;
