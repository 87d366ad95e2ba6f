/**
 * The schema, as an ordered list of migrations. Each runs once, in order, inside the start-up
 * transaction (see migrate.ts), and is recorded in schema_migrations. Never edit a released
 * migration: add a new one. The SQL is plain PostgreSQL 15 that PGlite also runs.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE policy_versions (
  version     integer PRIMARY KEY CHECK (version >= 1),
  yaml        text NOT NULL,
  created_at  timestamptz NOT NULL,
  created_by  text NOT NULL,
  comment     text NOT NULL DEFAULT ''
);

CREATE TABLE approval_requests (
  id                  text PRIMARY KEY,
  kind                text NOT NULL CHECK (kind IN ('sql', 'shell', 'access')),
  status              text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'cancelled', 'expired', 'used')),
  connection_id       text NOT NULL,
  requester           text NOT NULL,
  requester_name      text NOT NULL,
  requester_role      text NOT NULL,
  action              text,
  action_hash         text,
  action_class        text,
  rule                text,
  duration_minutes    integer,
  justification       text NOT NULL,
  required_approvals  integer NOT NULL CHECK (required_approvals >= 1),
  policy_version      integer NOT NULL REFERENCES policy_versions (version),
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  decided_at          timestamptz,
  used_at             timestamptz,
  grant_id            text UNIQUE,
  grant_token         text,
  grant_expires_at    timestamptz,
  -- An action request names its action; an access request names a duration instead.
  CHECK ((kind = 'access') = (action IS NULL AND action_hash IS NULL AND duration_minutes IS NOT NULL)),
  -- A grant exists exactly when the request was approved (and possibly used since).
  CHECK ((status IN ('approved', 'used')) = (grant_id IS NOT NULL AND grant_token IS NOT NULL AND grant_expires_at IS NOT NULL))
);
CREATE INDEX approval_requests_requester ON approval_requests (requester, created_at DESC);
CREATE INDEX approval_requests_status ON approval_requests (status, expires_at);
CREATE INDEX approval_requests_created ON approval_requests (created_at DESC);

-- One row per person per request: the primary key is what makes "a person counts once" hold
-- even under concurrent approvals.
CREATE TABLE approval_decisions (
  request_id     text NOT NULL REFERENCES approval_requests (id),
  approver       text NOT NULL,
  approver_name  text NOT NULL,
  decision       text NOT NULL CHECK (decision IN ('approve', 'deny')),
  reason         text NOT NULL,
  decided_at     timestamptz NOT NULL,
  PRIMARY KEY (request_id, approver)
);

CREATE TABLE audit_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at             timestamptz NOT NULL,
  type           text NOT NULL,
  actor          text NOT NULL,
  request_id     text,
  connection_id  text,
  detail         jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_at ON audit_events (at DESC);
CREATE INDEX audit_events_request ON audit_events (request_id);
CREATE INDEX audit_events_actor ON audit_events (actor, at DESC);

-- Append-only in the database itself, not just in the API: a bug or a stray UPDATE from the
-- application role cannot rewrite history. (A superuser can still drop the trigger; that is
-- what the database's own logs and backups are for.)
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The server's own grant-signing key. The newest row signs; older rows stay published in the
-- JWKS so grants signed before a rotation still verify until they expire.
CREATE TABLE signing_keys (
  kid          text PRIMARY KEY,
  alg          text NOT NULL,
  private_jwk  jsonb NOT NULL,
  public_jwk   jsonb NOT NULL,
  created_at   timestamptz NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'session recordings',
    sql: `
-- The index of uploaded session recordings (issue 6). The recordings themselves are files in the
-- server's recordings directory (storage_key names them); the row holds what is listed and
-- searched. user_id is the uploader's token subject, never a value from a request body.
CREATE TABLE sessions (
  id              text PRIMARY KEY,
  user_id         text NOT NULL,
  user_name       text NOT NULL,
  connection_id   text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('terminal', 'sql')),
  started_at      timestamptz NOT NULL,
  ended_at        timestamptz,
  status          text NOT NULL CHECK (status IN ('uploading', 'complete')),
  body_bytes      bigint NOT NULL DEFAULT 0,
  index_bytes     bigint NOT NULL DEFAULT 0,
  body_sha256     text,
  index_sha256    text,
  events          integer,
  sealed          boolean,
  head            text,
  blocked_count   integer NOT NULL DEFAULT 0,
  held_count      integer NOT NULL DEFAULT 0,
  approved_count  integer NOT NULL DEFAULT 0,
  masked_count    integer NOT NULL DEFAULT 0,
  -- The (masked) SQL statements and shell command lines, one a line, for text search.
  search_text     text NOT NULL DEFAULT '',
  storage_key     text NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL,
  completed_at    timestamptz,
  -- A complete session has its verified hashes; an uploading one has none yet.
  CHECK ((status = 'complete') = (body_sha256 IS NOT NULL AND index_sha256 IS NOT NULL AND completed_at IS NOT NULL))
);
CREATE INDEX sessions_started ON sessions (started_at DESC, id DESC);
CREATE INDEX sessions_user ON sessions (user_id, started_at DESC);
CREATE INDEX sessions_connection ON sessions (connection_id, started_at DESC);
`,
  },
  {
    version: 3,
    name: 'agent sessions',
    sql: `
-- AI agents' tool calls (issue 8) are recorded as sessions of their own kind; "detail" names the
-- tool, so that the list can say what an agent did without opening the recording.
ALTER TABLE sessions DROP CONSTRAINT sessions_kind_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_kind_check CHECK (kind IN ('terminal', 'sql', 'agent'));
ALTER TABLE sessions ADD COLUMN detail text;
`,
  },
  {
    version: 4,
    name: 'service identities',
    sql: `
-- Service identities (issue 8): non-human callers such as an MCP agent. Each holds one opaque
-- bearer token, of which only the SHA-256 is kept; groups map to policy roles like an OIDC user's.
CREATE TABLE service_identities (
  id            text PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  groups        jsonb NOT NULL,
  token_sha256  text NOT NULL UNIQUE,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  revoked_by    text
);
`,
  },
];
