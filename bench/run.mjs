// `npm run bench`: builds, runs every bench/<area>/*-bench.mjs one after another (never in
// parallel: they share two cores), and writes their markdown sections into BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);

const build = spawnSync('npx', ['tsc', '-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const benches = readdirSync(`${root}bench`)
  .filter((d) => statSync(`${root}bench/${d}`).isDirectory() && (only.length === 0 || only.includes(d)))
  .flatMap((d) => readdirSync(`${root}bench/${d}`).filter((f) => f.endsWith('-bench.mjs')).map((f) => `bench/${d}/${f}`));

const sections = [];
for (const bench of benches) {
  console.error(`▶ ${bench}`);
  const r = spawnSync(process.execPath, ['--expose-gc', bench], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    console.error(`✗ ${bench} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
  sections.push(r.stdout.trim());
}

const header = `# Benchmarks

Produced by \`npm run bench\` (\`node bench/run.mjs${only.length ? ` ${only.join(' ')}` : ''}\`) on ${new Date().toISOString().slice(0, 10)},
Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}. Every ratio compares Gatehouse against a
baseline measured side by side in the same run. Figures from a shared 2-core machine vary by
±15% between runs; compare ratios, not absolute times.
`;
if (only.length === 0) {
  writeFileSync(`${root}BENCHMARKS.md`, `${header}\n${sections.join('\n\n')}\n`);
  console.error('wrote BENCHMARKS.md');
} else {
  process.stdout.write(`${sections.join('\n\n')}\n`);
}
