import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@gatehouse\/gateway-core\/contract$/, replacement: src('./gateway-core/src/contract/index.ts') },
      { find: /^@gatehouse\/gateway-core$/, replacement: src('./gateway-core/src/index.ts') },
      { find: /^@gatehouse\/policy-server$/, replacement: src('./policy-server/src/index.ts') },
    ],
  },
  test: {
    include: ['gateway-core/test/**/*.test.ts', 'main/test/**/*.test.ts', 'policy-server/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
