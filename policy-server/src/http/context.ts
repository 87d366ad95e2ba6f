import type { ApprovalService } from '../approvals/approval-service.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { Clock } from '../clock.js';
import type { EventHub } from '../events/event-hub.js';
import type { GrantSigner } from '../grants/grant-signer.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { ServiceIdentityService } from '../service-identities/service-identity-service.js';
import type { SessionService } from '../sessions/session-service.js';
import type { Database } from '../storage/database.js';

/** What the routes use; built once by createPolicyServer. */
export interface ServerContext {
  db: Database;
  policy: PolicyService;
  approvals: ApprovalService;
  grants: GrantSigner;
  hub: EventHub;
  verifier: TokenVerifier;
  clock: Clock;
  /** Session recordings (index + stored bodies). */
  sessions: SessionService;
  /** Service identities and their tokens; buildApp makes one from db, clock and policy when absent. */
  serviceIdentities?: ServiceIdentityService;
}

/** The context the routes see: everything built. */
export type AppContext = ServerContext & { serviceIdentities: ServiceIdentityService };
