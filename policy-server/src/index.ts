/** The Gatehouse policy server: policies, approvals and grants, audit, and SSE (BRIEF §2, issue 5). */
export { createPolicyServer, startPolicyServer, DEFAULT_GRANT_ISSUER, type PolicyServer, type PolicyServerOptions } from './create-policy-server.js';
export { startDemoPolicyServer, type DemoPolicyServer, type DemoPolicyServerOptions } from './demo-policy-server.js';
export { ALLOWED_ALGORITHMS, CLOCK_TOLERANCE_SECONDS, type IssuerConfig } from './auth/token-verifier.js';
export { GRANT_ALG, GRANT_AUDIENCE, GRANT_TYP } from './grants/grant-signer.js';
export { systemClock, type Clock } from './clock.js';
export type { DatabaseOption } from './storage/open-database.js';
export { openDatabase } from './storage/open-database.js';
export type { Database, Queryable } from './storage/database.js';
export { MIGRATIONS, type Migration } from './storage/migrations.js';
export { createServerLogger } from './server-logger.js';
