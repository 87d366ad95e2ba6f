/** A local PG listener in front of a harness PostgreSQL 15, as the support engineer. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { PostgresConnectionConfig } from '../../src/connections/connection-config.js';
import { startPgListener, listenerPolicyFrom, type PgListener, type PgListenerOptions } from '../../src/pg-listener/listener.js';
import { loadPolicyFile } from '../../src/policy/load-policy.js';
import type { PostgresServer } from '../../../test-support/postgres/postgres-server.js';

export const CONNECTION_ID = 'prod-main';

export function listenerConfig(server: PostgresServer): PostgresConnectionConfig {
  return {
    id: CONNECTION_ID,
    name: 'Production (test)',
    type: 'postgres',
    host: server.host,
    port: server.port,
    database: server.database,
    user: server.user,
    secret: `stored:${CONNECTION_ID}`,
    tls: { mode: 'disable' },
  } as PostgresConnectionConfig;
}

export async function openListener(server: PostgresServer, opts: Pick<PgListenerOptions, 'maxMessageBytes' | 'tls'> = {}): Promise<PgListener> {
  const policy = loadPolicyFile();
  return startPgListener({
    config: listenerConfig(server),
    secrets: { resolve: async () => server.password },
    identityId: 'engineer',
    policy: listenerPolicyFrom(() => policy, () => ({ id: 'engineer', roles: ['support'] }), CONNECTION_ID),
    ...opts,
  });
}

export const PSQL = existsSync('/usr/lib/postgresql/15/bin/psql') ? '/usr/lib/postgresql/15/bin/psql' : 'psql';

/**
 * Runs psql against the listener with a script on stdin; resolves with its output and exit code.
 * `env` adds libpq variables (PGSSLMODE, PGSSLROOTCERT) over the defaults.
 */
export function runPsql(l: PgListener, script: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PSQL, ['-X', '-h', l.host, '-p', String(l.port), '-U', l.user, '-d', l.database, ...extra], {
      env: { PATH: process.env.PATH ?? '', PGPASSWORD: l.password, PGSSLMODE: 'prefer', PGCONNECT_TIMEOUT: '10', LC_ALL: 'C.UTF-8', ...env },
    });
    // Decoded once at the end: a chunk boundary may split a multi-byte character (the masks' bullets).
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), code }));
    child.stdin.end(script);
  });
}
