/** The whole API suite on embedded PGlite (in memory). api-postgres.test.ts runs it on PostgreSQL 15. */
import { afterAll, beforeAll, describe } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';
import { approvalsSuite } from './suites/approvals-suite.js';
import { authSuite } from './suites/auth-suite.js';
import { pgliteSuite } from './suites/pglite-suite.js';
import { policyAuditSuite } from './suites/policy-audit-suite.js';
import { sseScaleSuite } from './suites/sse-scale-suite.js';
import { serviceIdentitiesSuite } from './suites/service-identities-suite.js';
import { sessionsSuite } from './suites/sessions-suite.js';
import { sseSuite } from './suites/sse-suite.js';

describe('policy server API on PGlite', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('pglite');
  });
  afterAll(async () => {
    await harness?.close();
  });
  const h = (): Harness => harness;
  describe('auth', () => authSuite(h));
  describe('approvals', () => approvalsSuite(h));
  describe('policy, audit, openapi', () => policyAuditSuite(h));
  describe('events (SSE)', () => sseSuite(h));
  describe('session recordings', () => sessionsSuite(h));
  describe('service identities', () => serviceIdentitiesSuite(h));
  describe('SSE at scale', () => sseScaleSuite(h));
  describe('PGlite session', () => pgliteSuite(h));
});
