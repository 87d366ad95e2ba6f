/**
 * A dump of a freshly initialised PGlite cluster, cached once per machine: starting from it
 * skips PGlite's initdb (seconds on a busy 2-core box), which keeps every test file's server
 * start near a second. Built in a staging file and renamed into place, so parallel test files
 * never read half a template.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

let cached: Promise<Blob> | undefined;

export function pgliteTemplate(): Promise<Blob> {
  cached ??= (async () => {
    // Keyed by PGlite's version: a dump only loads into the build that made it.
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const pkg = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    const version = pkg.version;
    const file = join(tmpdir(), `gatehouse-pglite-template-${version}.tar`);
    if (!existsSync(file)) {
      const db = await PGlite.create();
      const dump = await db.dumpDataDir('none');
      await db.close();
      const staging = `${file}.${process.pid}.tmp`;
      await writeFile(staging, Buffer.from(await dump.arrayBuffer()));
      await rename(staging, file).catch(() => rm(staging, { force: true }));
    }
    return new Blob([await readFile(file)]);
  })();
  return cached;
}
