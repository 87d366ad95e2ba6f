// The sandboxed preload cannot import ESM or npm modules at run time, so it is bundled to one
// CommonJS file with only `electron` left external.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../main/src/electron/preload.ts', import.meta.url).pathname],
  outfile: new URL('../main/dist/electron/preload.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});
