// The approval loop end to end (issue 5, invariant 4): two people's apps (the engineer's and the
// admin's laptops) share one policy server; targets are a real PostgreSQL 15 and a real sshd.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoPolicyServer, type DemoPolicyServer } from '@gatehouse/policy-server';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { startSshd, type SshdServer } from '../../../test-support/sshd/sshd-server.js';
import type { ConnectionConfig } from '../../src/connections/connection-config.js';
import { DemoIssuer } from '../../src/identity/demo-issuer.js';
import { startApprovalApp, type ApprovalApp } from './approval-app.js';

const POLICY = `
version: 1
roles:
  admin:
    connections: ["*"]
    sql: { read: allow, write: approve, dangerous: approve }
    approval: { approvers: [admin], required: 1 }
  support:
    connections: ["pg-*", "ssh-*", "prod-*"]
    sql: { read: allow, write: approve, dangerous: deny }
    shell:
      rules:
        - { id: touch-needs-approval, action: approve, program: [touch], reason: Creating files needs approval }
    approval: { approvers: [admin], required: 1, grantExpiryMinutes: 5 }
    accessByRequest: { connections: ["prod-*"], maxDurationMinutes: 30 }
offline: { readGraceMinutes: 10 }
`;

let postgres: PostgresServer;
let sshd: SshdServer;
let issuer: DemoIssuer;
let server: DemoPolicyServer;
let engineer: ApprovalApp;
let admin: ApprovalApp;
let offset = 0;
const now = (): number => Date.now() + offset;

function connections(): ConnectionConfig[] {
  const pgBase = { type: 'postgres' as const, host: '127.0.0.1', port: postgres.port, database: postgres.database, user: postgres.user, secret: 'stored:pg', tls: { mode: 'disable' as const } };
  return [
    { id: 'pg-main', name: 'pg-main', ...pgBase },
    { id: 'prod-pg', name: 'prod-pg', ...pgBase },
    { id: 'ssh-main', name: 'ssh-main', type: 'ssh', host: '127.0.0.1', port: sshd.port, user: sshd.user, auth: { method: 'key', privateKey: 'stored:ssh' }, hostKey: sshd.hostKeyFingerprint },
  ];
}

function app(identity: 'engineer' | 'admin', url = server.url): ApprovalApp {
  return startApprovalApp({ identity, issuer, policyServerUrl: url, policyYaml: POLICY, connections: connections(), secrets: { pg: postgres.password, ssh: sshd.privateKey }, now });
}

async function superuserQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgres.superuserUrl });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  [postgres, sshd, issuer] = await Promise.all([startPostgres({ seed: 'demo' }), startSshd(), DemoIssuer.create()]);
  server = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }, initialPolicyYaml: POLICY });
  engineer = app('engineer');
  admin = app('admin');
  await Promise.all([engineer, admin].map((a) => a.waitFor('policyServer.status', (s) => s.state === 'connected', 'connected to the policy server')));
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([engineer?.close(), admin?.close()]);
  await server?.close();
  await Promise.allSettled([postgres?.stop(), sshd?.stop()]);
});

describe('SQL: a held write runs exactly once, after an admin approves it', () => {
  it('holds the UPDATE, shows it to the admin, runs it once approved, and refuses to run it again', async () => {
    const { sessionId } = await engineer.call('sql.open', { connectionId: 'pg-main' });
    const text = "UPDATE customers SET full_name = 'Approved Person' WHERE id = 1";
    const held = await engineer.call('sql.run', { sessionId, text });
    expect(held.results[0]).toMatchObject({ status: 'refused', refusal: { action: 'approve', class: 'write' } });

    const request = await engineer.call('approvals.request', { kind: 'sql', sessionId, text, justification: 'Customer asked for a name fix (ticket 4411)' });
    expect(request).toMatchObject({ status: 'pending', kind: 'sql', connectionId: 'pg-main', requester: 'engineer', sessionId });

    // Pushed to the admin's app, with the full statement, its class and the rule.
    const inbox = await admin.waitFor('approvals.changed', (v) => v.id === request.id, 'the request in the admin inbox');
    expect(inbox).toMatchObject({ action: text, actionClass: 'write', justification: 'Customer asked for a name fix (ticket 4411)' });
    expect((await superuserQuery('SELECT full_name FROM customers WHERE id = 1')).rows[0].full_name).not.toBe('Approved Person');

    await admin.call('approvals.decide', { requestId: request.id, decision: 'approve', reason: 'ok, ticket checked' });
    const ran = await engineer.waitFor('approvals.sqlResult', (r) => r.requestId === request.id, 'the approved statement to run');
    expect(ran.sessionId).toBe(sessionId);
    expect(ran.result.results[0]).toMatchObject({ status: 'done', rowCount: 1 });
    expect((await superuserQuery('SELECT full_name FROM customers WHERE id = 1')).rows[0].full_name).toBe('Approved Person');
    await engineer.waitFor('approvals.changed', (v) => v.id === request.id && v.outcome === 'ran', 'the outcome');

    // The approval was for one run: the same text is held again.
    const again = await engineer.call('sql.run', { sessionId, text });
    expect(again.results[0]).toMatchObject({ status: 'refused', refusal: { action: 'approve' } });
  });

  it('shows the approver the statement masked, and runs the exact text it stands for', async () => {
    const { sessionId } = await engineer.call('sql.open', { connectionId: 'pg-main' });
    const text = "UPDATE customers SET email = 'moved.customer@example.com' WHERE id = 6";
    const request = await engineer.call('approvals.request', { kind: 'sql', sessionId, text, justification: 'new address, ticket 88' });
    const inbox = await admin.waitFor('approvals.changed', (v) => v.id === request.id, 'inbox');
    expect(inbox.action).not.toContain('moved.customer@example.com');
    expect(inbox.action).toMatch(/^UPDATE customers SET email = '.+' WHERE id = 6$/);
    await admin.call('approvals.decide', { requestId: request.id, decision: 'approve', reason: '' });
    await engineer.waitFor('approvals.sqlResult', (r) => r.requestId === request.id, 'the run');
    expect((await superuserQuery('SELECT email FROM customers WHERE id = 6')).rows[0].email).toBe('moved.customer@example.com');
  });

  it('never lets the requester approve their own request', async () => {
    const { sessionId } = await engineer.call('sql.open', { connectionId: 'pg-main' });
    const request = await engineer.call('approvals.request', { kind: 'sql', sessionId, text: "UPDATE customers SET city = 'Nowhere' WHERE id = 2", justification: 'testing self-approval' });
    expect(await engineer.fails('approvals.decide', { requestId: request.id, decision: 'approve', reason: 'me' })).toMatch(/own|self/i);
    await engineer.call('approvals.cancel', { requestId: request.id });
    await engineer.waitFor('approvals.changed', (v) => v.id === request.id && v.status === 'cancelled', 'cancelled');
  });

  it('a denial runs nothing and carries the reason', async () => {
    const { sessionId } = await engineer.call('sql.open', { connectionId: 'pg-main' });
    const text = "UPDATE customers SET city = 'Denied City' WHERE id = 3";
    const request = await engineer.call('approvals.request', { kind: 'sql', sessionId, text, justification: 'please' });
    await admin.waitFor('approvals.changed', (v) => v.id === request.id, 'inbox');
    await admin.call('approvals.decide', { requestId: request.id, decision: 'deny', reason: 'not without a ticket' });
    const denied = await engineer.waitFor('approvals.changed', (v) => v.id === request.id && v.outcome !== null, 'the denial');
    expect(denied.status).toBe('denied');
    expect(denied.outcome).toMatch(/not without a ticket/);
    expect((await superuserQuery('SELECT city FROM customers WHERE id = 3')).rows[0].city).not.toBe('Denied City');
  });

  it('refuses to send a statement that needs no approval, or one that is denied outright', async () => {
    const { sessionId } = await engineer.call('sql.open', { connectionId: 'pg-main' });
    expect(await engineer.fails('approvals.request', { kind: 'sql', sessionId, text: 'SELECT 1', justification: 'nothing' })).toMatch(/needs no approval/);
    expect(await engineer.fails('approvals.request', { kind: 'sql', sessionId, text: 'DROP TABLE customers', justification: 'nothing' })).toMatch(/refused, not approvable/);
  });
});

describe('the demo: one laptop, switching between Erin and Ada', () => {
  it('runs Erin’s held statement as Erin when Ada approves it from the same app', async () => {
    const laptop = app('engineer');
    try {
      await laptop.waitFor('policyServer.status', (s) => s.state === 'connected', 'connected');
      const { sessionId } = await laptop.call('sql.open', { connectionId: 'pg-main' });
      const text = "UPDATE customers SET city = 'Switched City' WHERE id = 5";
      const request = await laptop.call('approvals.request', { kind: 'sql', sessionId, text, justification: 'demo flow' });
      await laptop.call('identity.switch', { identityId: 'admin' });
      await laptop.call('approvals.decide', { requestId: request.id, decision: 'approve', reason: 'fine' });
      const ran = await laptop.waitFor('approvals.sqlResult', (r) => r.requestId === request.id, 'the run as Erin');
      expect(ran.result.results[0]).toMatchObject({ status: 'done', rowCount: 1 });
      expect((await superuserQuery('SELECT city FROM customers WHERE id = 5')).rows[0].city).toBe('Switched City');
    } finally {
      await laptop.close();
    }
  });
});

describe('shell: a held line is sent once approved', () => {
  it('holds `touch`, and runs exactly that line after approval', async () => {
    const { terminalId } = await engineer.call('terminal.open', { connectionId: 'ssh-main', cols: 100, rows: 30 });
    await engineer.waitFor('terminal.state', (s) => s.terminalId === terminalId && s.state === 'connected', 'shell');
    await engineer.waitFor('terminal.output', (o) => o.terminalId === terminalId && /[$#] $/.test(o.data), 'prompt');
    await engineer.call('terminal.input', { terminalId, data: `touch ${join(sshd.homeDir, 'approved-marker')}\r` });
    const guard = await engineer.waitFor('terminal.guard', (g) => g.terminalId === terminalId, 'the hold');
    expect(guard.notice).toMatchObject({ action: 'approve', rule: 'touch-needs-approval' });
    expect(existsSync(join(sshd.homeDir, 'approved-marker'))).toBe(false);

    const request = await engineer.call('approvals.request', { kind: 'shell', terminalId, heldId: guard.notice.heldId!, justification: 'marker for the test' });
    expect(request.action).toBe(`touch ${join(sshd.homeDir, 'approved-marker')}`);
    await admin.waitFor('approvals.changed', (v) => v.id === request.id, 'inbox');
    await admin.call('approvals.decide', { requestId: request.id, decision: 'approve', reason: '' });
    await engineer.waitFor('approvals.changed', (v) => v.id === request.id && v.outcome === 'ran', 'sent');
    const deadline = Date.now() + 5000;
    while (!existsSync(join(sshd.homeDir, 'approved-marker')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(sshd.homeDir, 'approved-marker'))).toBe(true);
    await engineer.call('terminal.close', { terminalId });
  });

  it('runs nothing when the terminal is gone by the time of the approval', async () => {
    const { terminalId } = await engineer.call('terminal.open', { connectionId: 'ssh-main', cols: 100, rows: 30 });
    await engineer.waitFor('terminal.output', (o) => o.terminalId === terminalId && /[$#] $/.test(o.data), 'prompt');
    await engineer.call('terminal.input', { terminalId, data: `touch ${join(sshd.homeDir, 'orphan-marker')}\r` });
    const guard = await engineer.waitFor('terminal.guard', (g) => g.terminalId === terminalId, 'the hold');
    const request = await engineer.call('approvals.request', { kind: 'shell', terminalId, heldId: guard.notice.heldId!, justification: 'will close first' });
    await engineer.call('terminal.close', { terminalId });
    await admin.waitFor('approvals.changed', (v) => v.id === request.id, 'inbox');
    await admin.call('approvals.decide', { requestId: request.id, decision: 'approve', reason: '' });
    const settled = await engineer.waitFor('approvals.changed', (v) => v.id === request.id && v.outcome !== null, 'outcome');
    expect(settled.outcome).toMatch(/terminal .*closed; nothing ran/);
    expect(existsSync(join(sshd.homeDir, 'orphan-marker'))).toBe(false);
  });
});

describe('access by request', () => {
  it('opens a by-request connection only while approved access lasts, then closes its sessions', async () => {
    expect(await engineer.fails('sql.open', { connectionId: 'prod-pg' })).toMatch(/opens only with approved access/);
    const listed = (await engineer.call('connections.list', {})).find((c) => c.id === 'prod-pg');
    expect(listed?.access).toEqual({ byRequest: true, maxDurationMinutes: 30 });
    expect(await engineer.fails('approvals.request', { kind: 'access', connectionId: 'prod-pg', durationMinutes: 60, justification: 'too long' })).toMatch(/30|maximum|exceed/i);

    const request = await engineer.call('approvals.request', { kind: 'access', connectionId: 'prod-pg', durationMinutes: 10, justification: 'incident 77' });
    await admin.waitFor('approvals.changed', (v) => v.id === request.id, 'inbox');
    await admin.call('approvals.decide', { requestId: request.id, decision: 'approve', reason: 'go' });
    await engineer.waitFor('connections.changed', (list) => list.some((c) => c.id === 'prod-pg' && c.access?.grantedUntil !== undefined), 'access granted');
    const { sessionId } = await engineer.call('sql.open', { connectionId: 'prod-pg' });
    expect((await engineer.call('sql.run', { sessionId, text: 'SELECT 1 AS one' })).results[0]).toMatchObject({ status: 'rows' });

    offset += 11 * 60_000; // past the grant's end
    await engineer.waitFor('connections.changed', (list) => list.some((c) => c.id === 'prod-pg' && c.access !== undefined && c.access.grantedUntil === undefined), 'access expired');
    expect(await engineer.fails('sql.run', { sessionId, text: 'SELECT 1' })).toMatch(/No such SQL session|opens only with approved access/);
    expect(await engineer.fails('sql.open', { connectionId: 'prod-pg' })).toMatch(/opens only with approved access/);
    offset = 0;
  });
});

describe('fail closed when the policy server goes away', () => {
  it('does not run a held action; reads go on for the grace, then stop', async () => {
    const own = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }, initialPolicyYaml: POLICY });
    const eng = app('engineer', own.url);
    try {
      await eng.waitFor('policyServer.status', (s) => s.state === 'connected', 'connected');
      const { sessionId } = await eng.call('sql.open', { connectionId: 'pg-main' });
      const text = "UPDATE customers SET city = 'Offline City' WHERE id = 4";
      await eng.call('approvals.request', { kind: 'sql', sessionId, text, justification: 'before the outage' });
      await own.close();
      const status = await eng.waitFor('policyServer.status', (s) => s.state === 'unreachable', 'unreachable', 20_000);
      expect(status.readsAllowedUntil).toBeDefined();
      expect(await eng.fails('approvals.request', { kind: 'sql', sessionId, text, justification: 'during the outage' })).toMatch(/unreachable/);
      expect(eng.seen('approvals.sqlResult')).toHaveLength(0);
      expect((await superuserQuery('SELECT city FROM customers WHERE id = 4')).rows[0].city).not.toBe('Offline City');

      // Reads continue under the cached policy for the grace (10 min here), then stop.
      expect((await eng.call('sql.run', { sessionId, text: 'SELECT 1 AS one' })).results[0]).toMatchObject({ status: 'rows' });
      offset += 11 * 60_000;
      expect(await eng.fails('sql.run', { sessionId, text: 'SELECT 1 AS one' })).toMatch(/unreachable since .*grace ended/);
    } finally {
      offset = 0;
      await eng.close();
    }
  }, 60_000);
});

describe('secrets stay home', () => {
  it('no credential or token reaches a log or an event', () => {
    for (const a of [engineer, admin]) {
      const text = a.logText();
      expect(text).not.toContain(postgres.password);
      expect(text).not.toContain('BEGIN OPENSSH PRIVATE KEY');
      expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
    }
  });
});
