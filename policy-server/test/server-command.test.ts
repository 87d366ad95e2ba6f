/** `gatehouse server`: flags, start on PostgreSQL with a discovered JWKS, clean stop, bad input. */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerServerCommand, runServerCommand } from '../../main/src/cli/server-command.js';
import { startPostgres, type PostgresServer } from '../../test-support/postgres/postgres-server.js';
import { startTestIssuer, type TestIssuer } from './support/test-issuer.js';

describe('gatehouse server', () => {
  let pgServer: PostgresServer;
  let issuer: TestIssuer;
  let dir: string;
  beforeAll(async () => {
    [pgServer, issuer, dir] = await Promise.all([startPostgres({ seed: 'none' }), startTestIssuer(), mkdtemp(join(tmpdir(), 'gatehouse-server-cmd-'))]);
  });
  afterAll(async () => {
    await Promise.all([pgServer?.stop(), issuer?.close(), rm(dir, { recursive: true, force: true })]);
  });

  it('registers the command with its flags', () => {
    const program = new Command('gatehouse');
    registerServerCommand(program);
    const server = program.commands.find((c) => c.name() === 'server');
    expect(server?.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(['--port', '--host', '--data', '--database-url', '--issuer', '--audience', '--jwks-uri', '--policy']),
    );
  });

  it('runs on PostgreSQL, finds the JWKS by discovery, prints its URL, and stops cleanly', async () => {
    const lines: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let url = '';
    const listening = new Promise<void>((resolve) => {
      void runServerCommand(
        { port: 0, host: '127.0.0.1', databaseUrl: pgServer.superuserUrl, recordings: join(dir, 'recordings'), issuer: issuer.issuer, audience: issuer.audience, logLevel: 'fatal' },
        { stop: stopped, out: (l) => lines.push(l), err: (l) => lines.push(l), onListening: (u) => ((url = u), resolve()) },
      ).then((code) => lines.push(`exit ${code}`));
    });
    await listening;
    expect(lines[0]).toMatch(/^Gatehouse policy server is running at http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.join('\n')).not.toContain(pgServer.superuserPassword);
    const token = await issuer.token('ada', { groups: ['admin'] });
    const me = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ subject: 'ada', roles: ['admin'], canApprove: true });
    stop();
    await expect.poll(() => lines.at(-1)).toBe('exit 0');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('refuses an invalid policy file and half-given issuer flags before starting (exit 2)', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'version: 1\nroles:\n  support:\n    connections: 42\n');
    const errors: string[] = [];
    const hooks = { out: (l: string) => errors.push(l), err: (l: string) => errors.push(l), stop: Promise.resolve() };
    expect(await runServerCommand({ port: 0, host: '127.0.0.1', data: dir, policy: bad }, hooks)).toBe(2);
    expect(errors.join('\n')).toMatch(/invalid policy: .*bad\.yaml:4: /);
    expect(await runServerCommand({ port: 0, host: '127.0.0.1', data: dir, issuer: issuer.issuer }, hooks)).toBe(2);
  });
});
