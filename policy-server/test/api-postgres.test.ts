/** The whole API suite on embedded PostgreSQL 15 (a throwaway cluster); api-pglite.test.ts runs it on PGlite. */
import { afterAll, beforeAll, describe } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';
import { approvalsSuite } from './suites/approvals-suite.js';
import { authSuite } from './suites/auth-suite.js';
import { policyAuditSuite } from './suites/policy-audit-suite.js';
import { serviceIdentitiesSuite } from './suites/service-identities-suite.js';
import { sessionsSuite } from './suites/sessions-suite.js';
import { sseSuite } from './suites/sse-suite.js';

describe('policy server API on PostgreSQL 15', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('postgres');
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
});
