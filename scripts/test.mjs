// `npm test`: lint (with the layering rules), typecheck, build, unit + contract + integration
// tests, then e2e in Debian's Chromium. Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

// The tests start real servers; say in one line what to install rather than fail deep inside.
const chromium = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';
const sshd = process.env.GATEHOUSE_SSHD ?? '/usr/sbin/sshd';
const pgBin = process.env.GATEHOUSE_PG_BIN ?? newestPostgresBin();
const missing = [
  existsSync(chromium) ? null : `Chromium at ${chromium}: apt-get install -y chromium (or set GATEHOUSE_CHROMIUM)`,
  existsSync(sshd) ? null : `OpenSSH's sshd at ${sshd}: apt-get install -y openssh-server`,
  pgBin && existsSync(`${pgBin}/initdb`) ? null : 'PostgreSQL server binaries (initdb, pg_ctl): apt-get install -y postgresql (or set GATEHOUSE_PG_BIN)',
].filter(Boolean);
if (missing.length > 0) {
  console.error(`npm test needs ${missing.join('; and ')}`);
  process.exit(1);
}

function newestPostgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(`${root}/${v}/bin/initdb`)).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? `${root}/${versions[0]}/bin` : undefined;
}

const steps = [
  ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
  ['typecheck', 'npx', ['tsc', '-b']],
  ['typecheck renderer', 'npx', ['tsc', '-p', 'renderer/tsconfig.json']],
  ['typecheck tests', 'npx', ['tsc', '-p', 'tsconfig.test.json']],
  ['typecheck e2e', 'npx', ['tsc', '-p', 'e2e/tsconfig.json']],
  ['build', 'npm', ['run', 'build', '--silent']],
  ['unit, contract and integration tests', 'npx', ['vitest', 'run']],
  ['e2e (Chromium)', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts']],
];

for (const [name, cmd, args] of steps) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: new URL('..', import.meta.url).pathname });
  if (r.status !== 0) {
    console.error(`✗ ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
