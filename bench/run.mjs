// `npm run bench`: builds, runs every bench/<area>/*-bench.mjs one after another (never in
// parallel: they share two cores), and writes their markdown sections into BENCHMARKS.md.
// `node bench/run.mjs <area>…` runs only those and prints their sections; with `--write` it also
// replaces those sections (matched by their heading) in BENCHMARKS.md, leaving the others as they are.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const write = process.argv.includes('--write');

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
  if (write) {
    let doc = existsSync(`${root}BENCHMARKS.md`) ? readFileSync(`${root}BENCHMARKS.md`, 'utf8').trimEnd() : header.trimEnd();
    for (const section of sections) {
      const heading = section.split('\n')[0];
      const at = doc.split('\n').indexOf(heading);
      if (at < 0) {
        doc = `${doc}\n\n${section}`;
        continue;
      }
      // The section runs to the next heading (any level) or the end.
      const lines = doc.split('\n');
      let end = lines.findIndex((l, i) => i > at && /^#{1,3} /.test(l));
      if (end < 0) end = lines.length;
      doc = [...lines.slice(0, at), ...section.split('\n'), ...(end < lines.length ? ['', ...lines.slice(end)] : [])].join('\n');
    }
    writeFileSync(`${root}BENCHMARKS.md`, `${doc}\n`);
    console.error(`updated ${only.join(', ')} in BENCHMARKS.md`);
  }
}
