// Recorded sessions read back for the player (issue 6): recorded in gateway-core, uploaded to the
// policy server, listed and read in pieces over the bridge. The server decides who sees what.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoPolicyServer, type DemoPolicyServer } from '@gatehouse/policy-server';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import type { SessionView } from '../../src/contract/sessions-schemas.js';
import { DemoIssuer } from '../../src/identity/demo-issuer.js';
import { startApprovalApp, type ApprovalApp } from '../approvals/approval-app.js';

const POLICY = `
version: 1
roles:
  admin:
    connections: ["*"]
    approval: { approvers: [admin] }
  support:
    connections: ["pg-*"]
    approval: { approvers: [admin] }
`;

let dir: string;
let postgres: PostgresServer;
let issuer: DemoIssuer;
let server: DemoPolicyServer;
let engineer: ApprovalApp;
let admin: ApprovalApp;

function app(identity: 'engineer' | 'admin'): ApprovalApp {
  return startApprovalApp({
    identity,
    issuer,
    policyServerUrl: server.url,
    policyYaml: POLICY,
    connections: [{ id: 'pg-main', name: 'pg-main', type: 'postgres', host: '127.0.0.1', port: postgres.port, database: postgres.database, user: postgres.user, secret: 'stored:pg', tls: { mode: 'disable' } }],
    secrets: { pg: postgres.password },
    recordingsDir: join(dir, identity),
  });
}

/** Runs a short SQL session to its end, so its recording is sealed and uploaded. */
async function recordSqlSession(a: ApprovalApp, statements: string[]): Promise<void> {
  const { sessionId } = await a.call('sql.open', { connectionId: 'pg-main' });
  for (const text of statements) await a.call('sql.run', { sessionId, text });
  await a.call('sql.close', { sessionId });
}

async function uploaded(a: ApprovalApp, match: (s: SessionView) => boolean): Promise<SessionView> {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const { sessions } = await a.call('sessions.list', {});
    const hit = sessions.find(match);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error('the recording was not uploaded in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-replay-'));
  [postgres, issuer] = await Promise.all([startPostgres({ seed: 'demo' }), DemoIssuer.create()]);
  server = await startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }, initialPolicyYaml: POLICY, recordingsDir: join(dir, 'server') });
  engineer = app('engineer');
  admin = app('admin');
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([engineer?.close(), admin?.close()]);
  await server?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('recorded sessions, read back for replay', () => {
  let erinSession: SessionView;

  it('lists an engineer’s finished SQL session for the admin, with its counts', async () => {
    await recordSqlSession(engineer, ['SELECT id, email FROM customers ORDER BY id LIMIT 3', 'DROP TABLE customers']);
    erinSession = await uploaded(admin, (s) => s.user === 'engineer' && s.kind === 'sql' && s.status === 'complete');
    expect(erinSession).toMatchObject({ connectionId: 'pg-main', userName: 'Erin Engineer' });
    expect(erinSession.counts.blocked).toBeGreaterThanOrEqual(1);
    expect(erinSession.counts.masked).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('reads the recording in whole lines, the same in small pieces as at once, masked', async () => {
    const whole = await admin.call('sessions.read', { sessionId: erinSession.id, part: 'body', offset: 0 });
    expect(whole).toMatchObject({ eof: true, live: false });
    expect(whole.totalBytes).toBe(erinSession.bodyBytes);
    let offset = 0;
    let pieces = '';
    for (;;) {
      const chunk = await admin.call('sessions.read', { sessionId: erinSession.id, part: 'body', offset, maxBytes: 1024 });
      expect(chunk.text === '' || chunk.text.endsWith('\n') || chunk.eof).toBe(true);
      pieces += chunk.text;
      offset = chunk.nextOffset;
      if (chunk.eof) break;
    }
    expect(pieces).toBe(whole.text);
    expect(await admin.call('sessions.read', { sessionId: erinSession.id, part: 'body', offset: whole.totalBytes })).toEqual({ text: '', nextOffset: whole.totalBytes, eof: true, totalBytes: whole.totalBytes, live: false });
    const lines = whole.text.trim().split('\n').map((l) => JSON.parse(l) as { type?: string; text?: string; gatehouse?: { kind?: string } });
    expect(lines[0]?.gatehouse?.kind).toBe('sql');
    expect(lines.filter((l) => l.type === 'statement').map((l) => l.text)).toEqual(['SELECT id, email FROM customers ORDER BY id LIMIT 3', 'DROP TABLE customers']);
    expect(whole.text).not.toMatch(/[a-z0-9._%+-]+@example\.(com|net|org)/i);
    expect(whole.text).not.toContain(postgres.password);
    const index = await admin.call('sessions.read', { sessionId: erinSession.id, part: 'index', offset: 0 });
    expect(index.text.split('\n').filter(Boolean).length).toBeGreaterThan(2);
  });

  it('shows an engineer their own sessions only, and the server refuses another’s', async () => {
    await recordSqlSession(admin, ['SELECT 1']);
    const adas = await uploaded(admin, (s) => s.user === 'admin' && s.status === 'complete');
    const { sessions } = await engineer.call('sessions.list', {});
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.user === 'engineer')).toBe(true);
    expect(await engineer.fails('sessions.get', { sessionId: adas.id })).toMatch(/.+/);
    expect(await engineer.fails('sessions.read', { sessionId: adas.id, part: 'body', offset: 0 })).toMatch(/.+/);
  }, 60_000);
});
