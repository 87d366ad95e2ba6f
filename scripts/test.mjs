// `npm test`: lint (with the layering rules), typecheck, build, unit + contract + integration
// tests, then e2e in Debian's Chromium. Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`npm test needs Chromium at ${chromium}: run "apt-get install -y chromium" (or set GATEHOUSE_CHROMIUM)`);
  process.exit(1);
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
