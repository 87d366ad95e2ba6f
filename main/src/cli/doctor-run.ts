import { findChromium, hasDisplay } from '../host/chromium-launcher.js';
import { findElectronBinary } from '../host/electron-launcher.js';
import { findPostgresBinDir, findProgram } from '../host/system-programs.js';

interface Check {
  name: string;
  ok: boolean;
  found: string;
  /** What to do when it is missing; absent when nothing is needed. */
  fix?: string;
  /** Needed by whom: the app itself, or only the test suite and benchmarks. */
  neededFor: string;
}

export async function runDoctorCommand(opts: { json?: boolean }, out = process.stdout): Promise<number> {
  const checks = collectChecks();
  if (opts.json) {
    out.write(`${JSON.stringify({ checks }, null, 2)}\n`);
  } else {
    for (const c of checks) {
      out.write(`${c.ok ? '✓' : '✗'} ${c.name.padEnd(22)} ${c.found}\n`);
      if (!c.ok && c.fix) out.write(`    needed for ${c.neededFor}: ${c.fix}\n`);
    }
  }
  // Missing Electron is normal (the browser shell takes over); only missing test tools fail.
  return checks.some((c) => !c.ok && c.neededFor !== 'the desktop window') ? 1 : 0;
}

function collectChecks(): Check[] {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  const electron = findElectronBinary(20_000);
  const chromium = findChromium();
  const pgBin = findPostgresBinDir();
  const sshd = findProgram('sshd', ['/usr/sbin/sshd']);
  const psql = findProgram('psql', ['/usr/bin/psql']);
  const pgbouncer = findProgram('pgbouncer', ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']);
  return [
    { name: 'Node.js', ok: nodeMajor >= 20, found: process.version, fix: 'install Node.js 20 or newer', neededFor: 'everything' },
    {
      name: 'shell',
      ok: true,
      found: electron ? `Electron window (${electron})` : `browser shell (no Electron binary${hasDisplay() ? '' : ', no display'})`,
      neededFor: 'the desktop window',
    },
    { name: 'Electron binary', ok: electron !== undefined, found: electron ?? 'not available', fix: 'none needed: the browser shell is used instead', neededFor: 'the desktop window' },
    { name: 'Chromium', ok: chromium !== undefined, found: chromium ?? 'not found', fix: 'apt-get install -y chromium', neededFor: 'the app window and e2e tests' },
    { name: 'PostgreSQL server', ok: pgBin !== undefined, found: pgBin ?? 'not found', fix: 'apt-get install -y postgresql (initdb, pg_ctl, postgres)', neededFor: 'integration tests' },
    { name: 'psql', ok: psql !== undefined, found: psql ?? 'not found', fix: 'apt-get install -y postgresql-client', neededFor: 'native-client tests' },
    { name: 'OpenSSH server', ok: sshd !== undefined, found: sshd ?? 'not found', fix: 'apt-get install -y openssh-server', neededFor: 'SSH integration tests' },
    { name: 'pgbouncer', ok: pgbouncer !== undefined, found: pgbouncer ?? 'not found', fix: 'apt-get install -y pgbouncer', neededFor: 'benchmarks' },
  ];
}
