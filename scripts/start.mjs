// `npm start`: build on first use (a fresh clone after `npm ci` is already built by `prepare`),
// then run the demo. Extra arguments pass through: `npm start -- --reset-demo`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const built = ['main/dist/cli/gatehouse.js', 'renderer/dist/index.html', 'main/dist/electron/preload.cjs'].every((p) =>
  existsSync(root + p),
);
if (!built) {
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const cli = spawn(process.execPath, [root + 'main/dist/cli/gatehouse.js', 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; wait for it to clean up.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => cli.kill(signal));
cli.on('exit', (code) => process.exit(code ?? 0));
