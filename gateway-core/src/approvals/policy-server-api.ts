/**
 * The policy server's HTTP API, as data: every body the server accepts or returns. The server
 * validates its inputs and serialises its outputs with these; gateway-core validates every
 * response with them too, so neither side trusts the other's shape. OpenAPI is generated from
 * these schemas (policy-server/src/http/openapi.ts).
 */
import { z } from 'zod';

const Id = z.string().min(1).max(100);
const ConnectionId = z.string().min(1).max(100);
const Timestamp = z.string().describe('ISO 8601 time');
const Justification = z.string().trim().min(3, 'say why, in at least 3 characters').max(2000);

export const ApiError = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

export const ApprovalKind = z.enum(['sql', 'shell', 'access']);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

/** `used` is an approved SQL/shell action whose grant was consumed; access grants just expire. */
export const ApprovalStatus = z.enum(['pending', 'approved', 'denied', 'cancelled', 'expired', 'used']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const CreateApprovalRequest = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('sql'),
      connectionId: ConnectionId,
      /** The statement as the approver will see it: masked by gateway-core (invariant 2). */
      action: z.string().min(1).max(100_000),
      /**
       * actionHash('sql', exact unmasked text) computed by gateway-core, which alone sees the
       * unmasked text and which checks this hash again before running. Without it the server
       * hashes `action`.
       */
      actionHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      actionClass: z.enum(['read', 'write', 'dangerous']),
      rule: z.string().max(200),
      justification: Justification,
    })
    .strict(),
  z
    .object({
      kind: z.literal('shell'),
      connectionId: ConnectionId,
      /** The command line as the approver will see it: masked by gateway-core. */
      action: z.string().min(1).max(10_000),
      /** actionHash('shell', exact unmasked line), as for SQL. */
      actionHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      rule: z.string().max(200),
      justification: Justification,
    })
    .strict(),
  z
    .object({
      kind: z.literal('access'),
      connectionId: ConnectionId,
      durationMinutes: z.number().int().min(1).max(7 * 24 * 60),
      justification: Justification,
    })
    .strict(),
]);
export type CreateApprovalRequest = z.infer<typeof CreateApprovalRequest>;

export const ApprovalDecision = z.object({
  by: z.string(),
  byName: z.string(),
  decision: z.enum(['approve', 'deny']),
  reason: z.string(),
  at: Timestamp,
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** A grant: the server's signed token for exactly one action (see GrantClaims). */
export const GrantToken = z.object({ token: z.string(), expiresAt: Timestamp });
export type GrantToken = z.infer<typeof GrantToken>;

export const ApprovalRequest = z.object({
  id: Id,
  kind: ApprovalKind,
  status: ApprovalStatus,
  connectionId: ConnectionId,
  requester: z.string(),
  requesterName: z.string(),
  /** The role the request was made under; its `approval` rule decides who may approve. */
  requesterRole: z.string(),
  /** The statement or command line; null for access requests. */
  action: z.string().nullable(),
  /** SHA-256 of the normalised action (gateway-core/src/approvals/action-hash.ts); null for access. */
  actionHash: z.string().nullable(),
  actionClass: z.string().nullable(),
  rule: z.string().nullable(),
  durationMinutes: z.number().int().nullable(),
  justification: z.string(),
  requiredApprovals: z.number().int().min(1),
  decisions: z.array(ApprovalDecision),
  createdAt: Timestamp,
  /** When a pending request expires. */
  expiresAt: Timestamp,
  decidedAt: Timestamp.nullable(),
  usedAt: Timestamp.nullable(),
  /** Only ever shown to the requester, and only while approved. */
  grant: GrantToken.nullable(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ApprovalListQuery = z
  .object({
    status: ApprovalStatus.optional(),
    requester: z.string().max(200).optional(),
    connectionId: ConnectionId.optional(),
    /** `mine`: my requests; `inbox`: requests I may decide. Default: both. */
    scope: z.enum(['mine', 'inbox', 'all']).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
export type ApprovalListQuery = z.infer<typeof ApprovalListQuery>;

export const ApprovalList = z.object({ requests: z.array(ApprovalRequest) });

export const DecideApproval = z.object({ reason: z.string().trim().max(2000).default('') }).strict();
export type DecideApproval = z.input<typeof DecideApproval>;

/** Reported by gateway-core just before it runs a granted action; a second consume is refused. */
export const ConsumeGrant = z.object({ grantId: Id }).strict();

/** The claims inside a grant JWS, signed with the server's key (published at /.well-known/jwks.json). */
export const GrantClaims = z.object({
  iss: z.string(),
  aud: z.literal('gatehouse-gateway'),
  sub: z.string(),
  jti: Id,
  exp: z.number().int(),
  iat: z.number().int(),
  rid: Id,
  kind: ApprovalKind,
  /** The action hash; null for access grants. */
  act: z.string().nullable(),
  con: ConnectionId,
});
export type GrantClaims = z.infer<typeof GrantClaims>;

export const ActiveAccess = z.object({ requests: z.array(ApprovalRequest) });

export const PolicyVersion = z.object({
  version: z.number().int().min(1),
  yaml: z.string(),
  createdAt: Timestamp,
  createdBy: z.string(),
  comment: z.string(),
});
export type PolicyVersion = z.infer<typeof PolicyVersion>;

export const PutPolicy = z.object({ yaml: z.string().min(1).max(1_000_000), comment: z.string().max(500).default('') }).strict();
export const PolicyHistory = z.object({ versions: z.array(PolicyVersion.omit({ yaml: true })) });

export const Me = z.object({
  subject: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  groups: z.array(z.string()),
  /** The policy roles the groups map to, in policy order; the first governs. */
  roles: z.array(z.string()),
  /** Whether this person may decide anyone's requests (shows the inbox). */
  canApprove: z.boolean(),
});
export type Me = z.infer<typeof Me>;

export const AuditEvent = z.object({
  id: z.number().int(),
  at: Timestamp,
  type: z.string(),
  actor: z.string(),
  requestId: z.string().nullable(),
  connectionId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z
  .object({
    type: z.string().max(100).optional(),
    actor: z.string().max(200).optional(),
    requestId: Id.optional(),
    connectionId: ConnectionId.optional(),
    since: z.string().datetime({ offset: true }).optional(),
    until: z.string().datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();
export const AuditList = z.object({ events: z.array(AuditEvent) });

/**
 * Server-sent events on GET /v1/events, per user. `approval`: a request that concerns you (yours,
 * or one you may decide) was created or changed; `policy`: a new policy version is in force.
 */
export const ServerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('approval'), request: ApprovalRequest }),
  z.object({ type: z.literal('policy'), version: z.number().int() }),
]);
export type ServerEvent = z.infer<typeof ServerEvent>;

/**
 * Service identities (issue 8): non-human callers such as an MCP agent, managed by admins. Each
 * holds one opaque bearer token `ghsvc_` + 32 random bytes (base64url); the server keeps only its
 * SHA-256, so the token is shown once, in the answer that creates it, and never again.
 */
export const SERVICE_TOKEN_PREFIX = 'ghsvc_';
export const ServiceToken = z.string().regex(/^ghsvc_[A-Za-z0-9_-]{43}$/, 'a service token is ghsvc_ and 43 base64url characters');

/** Also the subject `svc:<name>` in audit and approvals, which is why a name is never reused. */
export const ServiceIdentityName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'a name is a slug: 1–63 lowercase letters, digits and hyphens, starting and ending with a letter or digit');

export const CreateServiceIdentity = z
  .object({
    name: ServiceIdentityName,
    displayName: z.string().trim().min(1).max(200).optional(),
    /** Mapped to policy roles like an OIDC user's groups (`roles.<r>.groups`). */
    groups: z.array(z.string().trim().min(1).max(200)).min(1, 'give at least one group').max(50),
    /** Without it the token does not expire (until revoked). */
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export type CreateServiceIdentity = z.infer<typeof CreateServiceIdentity>;

export const ServiceIdentityStatus = z.enum(['active', 'expired', 'revoked']);
export type ServiceIdentityStatus = z.infer<typeof ServiceIdentityStatus>;

/** A service identity as listed: never its token (the server does not have it). */
export const ServiceIdentity = z.object({
  id: Id,
  name: z.string(),
  /** `svc:<name>`: what it is called in approvals, sessions and the audit log. */
  subject: z.string(),
  displayName: z.string(),
  groups: z.array(z.string()),
  /** The roles its groups map to under the policy in force, in policy order. */
  roles: z.array(z.string()),
  status: ServiceIdentityStatus,
  createdBy: z.string(),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
  revokedBy: z.string().nullable(),
});
export type ServiceIdentity = z.infer<typeof ServiceIdentity>;

/** The answer to a create: the only time the token is ever shown. */
export const CreatedServiceIdentity = z.object({ identity: ServiceIdentity, token: ServiceToken });
export type CreatedServiceIdentity = z.infer<typeof CreatedServiceIdentity>;

export const ServiceIdentityList = z.object({ identities: z.array(ServiceIdentity) });
