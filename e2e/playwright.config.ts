import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH } from './support/chromium.js';

export default defineConfig({
  testDir: './tests',
  outputDir: '../test-results',
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  globalSetup: './support/global-setup.ts',
  // The leak test searches what every other flow left behind, so it runs last.
  projects: [
    { name: 'flows', testIgnore: /leak\.spec\.ts$/ },
    { name: 'leak', testMatch: /leak\.spec\.ts$/, dependencies: ['flows'] },
  ],
  use: {
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    viewport: { width: 1280, height: 800 },
    colorScheme: 'dark',
    trace: 'retain-on-failure',
  },
});
