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

export const RolePolicy = z
  .object({
    description: z.string().optional(),
    /** Connection ids (globs with *) this role may open. */
    connections: z.array(z.string().min(1)).default([]),
    sql: sqlClassPolicySchema.default(SUPPORT_SQL_CLASS_POLICY),
    shell: ShellPolicySchema.default({ rules: [], includeDefaultRules: true, defaultAction: 'allow', onUnparseable: 'deny' }),
    masking: maskingPolicySchema.default({ detectors: 'all', columns: {} }),
    limits: RoleLimits.default({ maxRows: 10_000, statementTimeoutMs: 30_000 }),
  })
  .strict();
export type RolePolicy = z.output<typeof RolePolicy>;

export const PolicyDocument = z
  .object({
    version: z.literal(1),
    roles: z.record(RoleName, RolePolicy).refine((roles) => Object.keys(roles).length > 0, 'at least one role is needed'),
  })
  .strict();
export type PolicyDocument = z.output<typeof PolicyDocument>;
