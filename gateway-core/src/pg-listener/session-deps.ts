/** What a client session needs from its listener (listener.ts builds it per connection). */
import type { Masker } from '../masking/masker.js';
import type { SqlClassPolicy } from '../policy/sql/index.js';
import type { QueryRunner } from '../postgres/result-masking.js';
import type { SqlRecorder } from '../recording/sql-recorder.js';
import type { ClientSession } from './client-session.js';
import type { ListenerTls } from './local-tls.js';
import type { ScramVerifier } from './scram-server.js';
import type { UpstreamLink } from './upstream-link.js';

export interface SessionDeps {
  maxMessageBytes: number;
  upstreamMaxMessageBytes: number;
  authTimeoutMs: number;
  /** Set: SSLRequest is answered 'S' and clients must use TLS. Unset: 'N' (plain TCP on loopback). */
  tls?: ListenerTls;
  /** The one-time password's verifier for this user name, if it is the listener's user. */
  verifier(user: string): ScramVerifier | undefined;
  acceptsDatabase(database: string): boolean;
  openUpstream(): Promise<UpstreamLink>;
  openCatalog(): Promise<QueryRunner & { close(): Promise<void> }>;
  /** The caller's current SQL class policy and masker; throws (with a safe message) when access ended. */
  policy(): { sql: SqlClassPolicy; masker: Masker };
  /** Gatehouse's own BackendKeyData for this session. */
  registerKey(session: ClientSession): { processId: number; secretKey: number };
  forward(processId: number, secretKey: number): void;
  closed(session: ClientSession): void;
  /** The session's SQL recording (undefined: recording is off); throws when it cannot be recorded. */
  openRecorder(sessionId: string): SqlRecorder | undefined;
}
