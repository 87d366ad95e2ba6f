/**
 * The connections file (YAML). Secrets are named by reference only; a plain password in the
 * file is rejected, so that a config can be shared or committed without leaking anything.
 */
import { z } from 'zod';

export const SECRET_REF_PATTERN = /^(env|file|stored):.+$/;

const SecretRef = z
  .string()
  .regex(SECRET_REF_PATTERN, 'must be a secret reference: env:NAME, file:/path or stored:NAME (never the secret itself)');

const ConnectionId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be 1-63 lowercase letters, digits, ".", "_" or "-"');

const Common = {
  id: ConnectionId,
  name: z.string().min(1).max(200),
  description: z.string().max(500).optional(),
  host: z.string().min(1).max(255),
};

export const PostgresConnectionConfig = z
  .object({
    ...Common,
    type: z.literal('postgres'),
    port: z.number().int().min(1).max(65535).default(5432),
    database: z.string().min(1),
    user: z.string().min(1),
    secret: SecretRef,
    tls: z
      .object({
        mode: z.enum(['disable', 'require', 'verify-full']),
        ca: z.string().optional(),
      })
      .strict()
      .refine((tls) => tls.mode !== 'verify-full' || tls.ca !== undefined, 'verify-full needs a ca (file:/path to a PEM)')
      .default({ mode: 'require' }),
  })
  .strict();

export const SshConnectionConfig = z
  .object({
    ...Common,
    type: z.literal('ssh'),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1),
    auth: z.discriminatedUnion('method', [
      z.object({ method: z.literal('key'), privateKey: SecretRef, passphrase: SecretRef.optional() }).strict(),
      z.object({ method: z.literal('password'), password: SecretRef }).strict(),
    ]),
    /** A pinned SHA256 fingerprint; without one, the first connection asks the user (TOFU). */
    hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be an OpenSSH SHA256 fingerprint').optional(),
  })
  .strict();

export const ConnectionConfig = z.discriminatedUnion('type', [PostgresConnectionConfig, SshConnectionConfig]);
export type ConnectionConfig = z.infer<typeof ConnectionConfig>;
export type PostgresConnectionConfig = z.infer<typeof PostgresConnectionConfig>;
export type SshConnectionConfig = z.infer<typeof SshConnectionConfig>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or plain http only to this machine (a test or a local provider): tokens cross this link. */
const ServiceUrl = z.url({ protocol: /^https?$/ }).refine((value) => {
  if (!URL.canParse(value)) return true; // z.url has reported it already
  const url = new URL(value);
  return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
}, 'must be an https URL (plain http is allowed only for 127.0.0.1, localhost or [::1])');

/** OIDC sign-in (configured mode): a public native client using Authorization Code + PKCE. */
export const SignInConfig = z
  .object({
    issuer: ServiceUrl,
    clientId: z.string().min(1).max(200),
    /** Default: openid profile email offline_access. */
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token (no spaces or quotes)'))
      .min(1)
      .refine((s) => s.includes('openid'), 'must include "openid"')
      .optional(),
    /** The resource (RFC 8707) access tokens are requested for; the policy server checks it as `aud`. */
    audience: z.string().min(1).max(500).optional(),
    /** The ID-token claim holding the user's groups (default `groups`). */
    groupsClaim: z.string().min(1).max(200).optional(),
  })
  .strict();
export type SignInConfig = z.infer<typeof SignInConfig>;

/** The central policy server (approvals, policy versions, audit). */
export const PolicyServerConfig = z.object({ url: ServiceUrl }).strict();
export type PolicyServerConfig = z.infer<typeof PolicyServerConfig>;

export const ConnectionsFile = z
  .object({
    signIn: SignInConfig.optional(),
    policyServer: PolicyServerConfig.optional(),
    connections: z.array(ConnectionConfig).superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((c, i) => {
        if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate connection id "${c.id}"` });
        seen.add(c.id);
      });
    }),
  })
  .strict();
export type ConnectionsFile = z.infer<typeof ConnectionsFile>;
