import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Finds a program on PATH or at one of the usual absolute places. */
export function findProgram(name: string, usual: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return usual.find((p) => existsSync(p));
}

/** The newest Debian-style PostgreSQL server bin dir (initdb, pg_ctl, postgres), or one on PATH. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GATEHOUSE_PG_BIN && existsSync(join(env.GATEHOUSE_PG_BIN, 'initdb'))) return env.GATEHOUSE_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const initdb = findProgram('initdb', [], env);
  return initdb ? initdb.slice(0, -'/initdb'.length) : undefined;
}
