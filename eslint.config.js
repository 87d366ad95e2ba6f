// Lint, including the layering rules of BRIEF §2: a wrong-layer import fails `npm test`.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export const layerRules = {
  gatewayCore: {
    paths: [
      { name: 'electron', message: 'gateway-core is a pure Node library: no Electron (BRIEF §2).' },
      { name: 'react', message: 'gateway-core has no UI: no React.' },
      { name: 'react-dom', message: 'gateway-core has no UI: no React.' },
    ],
    patterns: [
      { group: ['react/*', 'react-dom/*', 'electron/*'], message: 'gateway-core imports no UI or Electron code.' },
      { group: ['**/main/src/**', '**/renderer/src/**', '@gatehouse/main', '@gatehouse/renderer'], message: 'gateway-core must not depend on its hosts.' },
    ],
  },
  renderer: {
    paths: [
      ...nodeBuiltins.map((name) => ({ name, message: 'The renderer runs in a sandboxed page: no Node built-ins.' })),
      { name: 'electron', message: 'The renderer reaches the host only through window.gatehouse.' },
      { name: '@gatehouse/gateway-core', message: 'Import only the contract, as types: import type { … } from "@gatehouse/gateway-core/contract".' },
      { name: '@gatehouse/gateway-core/contract', allowTypeImports: true, message: 'The renderer may import the contract for types only (import type).' },
    ],
    patterns: [
      { group: ['**/gateway-core/**', '@gatehouse/gateway-core/*', '!@gatehouse/gateway-core/contract'], message: 'No gateway-core runtime code in the renderer.' },
      { group: ['**/main/src/**'], message: 'The renderer reaches the host only through window.gatehouse.' },
    ],
  },
};

const cliStartMessage = 'Every `gatehouse` start loads this module: import commander and light modules only, and load the implementation in the action (see main/src/cli/gatehouse.ts).';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'test-results/**', 'playwright-report/**', '**/*.d.ts', 'main/test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Terminal tests assert on escape sequences, which means matching control characters.
    files: ['**/test/**/*.ts', 'e2e/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    files: ['gateway-core/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', layerRules.gatewayCore] },
  },
  {
    // Every `gatehouse` start loads these: the command registrations import commander and light
    // modules only, and each action loads its implementation (`*-run.ts`) when it runs.
    files: ['main/src/cli/gatehouse.ts', 'main/src/cli/*-command.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          { name: '@gatehouse/gateway-core', allowTypeImports: true, message: cliStartMessage },
          { name: '@gatehouse/policy-server', allowTypeImports: true, message: cliStartMessage },
        ],
        patterns: [{
          group: ['../host/*', '!../host/paths.js', '../mcp/*', '../connect/*', './*-run.js', './cli-connections.js', '@modelcontextprotocol/*', 'zod'],
          allowTypeImports: true,
          message: cliStartMessage,
        }],
      }],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'No Node globals in the renderer.' }, { name: 'require', message: 'No require in the renderer.' }, { name: 'Buffer', message: 'No Node globals in the renderer.' }],
      '@typescript-eslint/no-restricted-imports': ['error', layerRules.renderer],
    },
  },
);
