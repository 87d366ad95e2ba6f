// The offline demo environment: a seeded "production" PostgreSQL and an SSH target, both
// in-process on 127.0.0.1, so `npm start` can show the whole product with no network.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startDemoPostgres, type DemoPostgres, type DemoPostgresInfo } from './postgres-server.js';
import { startDemoSsh, type DemoSsh, type DemoSshInfo } from './ssh-target.js';
import type { DemoLogger } from './types.js';

export type { DemoLogger } from './types.js';
export type { DemoPostgresInfo } from './postgres-server.js';
export type { DemoSshInfo } from './ssh-target.js';
export { SEED_VERSION } from './seed.js';
export { sshFingerprint } from './ssh-target.js';
export { luhnValid, ssnValid } from './identifiers.js';
export { SENTINEL_TEXT } from './sample-files.js';

export interface DemoEnvironmentOptions {
  /** App-data folder for the demo; PGlite's data lives in `dataDir/pgdata`. */
  dataDir: string;
  /** Delete and rebuild the database from scratch. */
  reset?: boolean;
  onProgress?: (msg: string) => void;
  logger?: DemoLogger;
  /** The demo database password; random per start when absent. */
  postgresPassword?: string;
}

export interface DemoEnvironment {
  /**
   * Connection details for the demo database. Password auth is enforced by the demo's own front
   * door (pglite-socket itself accepts anything); the password is random per start.
   */
  postgres: DemoPostgresInfo;
  ssh: DemoSshInfo;
  /** True when this start seeded the database (first run, reset, or seed version change). */
  seeded: boolean;
  /** Stops both targets, kills shells, removes the SSH working dir. Idempotent. */
  stop(): Promise<void>;
}

export async function startDemoEnvironment(opts: DemoEnvironmentOptions): Promise<DemoEnvironment> {
  const onProgress = opts.onProgress ?? ((): void => undefined);
  await mkdir(opts.dataDir, { recursive: true });

  // The SSH target starts in milliseconds; the database may need a seed. Start both together and
  // make sure a failure of either does not leave the other running.
  const [pgResult, sshResult] = await Promise.allSettled([
    startDemoPostgres({
      pgDataDir: join(opts.dataDir, 'pgdata'),
      reset: opts.reset ?? false,
      onProgress,
      logger: opts.logger,
      ...(opts.postgresPassword ? { password: opts.postgresPassword } : {}),
    }),
    startDemoSsh({ logger: opts.logger }),
  ]);
  if (pgResult.status === 'rejected' || sshResult.status === 'rejected') {
    if (pgResult.status === 'fulfilled') await pgResult.value.stop();
    if (sshResult.status === 'fulfilled') await sshResult.value.stop();
    const reason: unknown = pgResult.status === 'rejected' ? pgResult.reason : (sshResult as PromiseRejectedResult).reason;
    throw reason instanceof Error ? reason : new Error(String(reason));
  }
  const pg: DemoPostgres = pgResult.value;
  const ssh: DemoSsh = sshResult.value;
  opts.logger?.info({ postgresPort: pg.info.port, sshPort: ssh.info.port, seeded: pg.seeded }, 'demo environment started');

  let stopped: Promise<void> | undefined;
  return {
    postgres: pg.info,
    ssh: ssh.info,
    seeded: pg.seeded,
    stop: () => {
      stopped ??= Promise.all([pg.stop(), ssh.stop()]).then(() => undefined);
      return stopped;
    },
  };
}
