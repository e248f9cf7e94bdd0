/**
 * Browser tests of the built plugin in the sandbox page (no Grafana needed): `npm run test:browser`.
 * Each spec starts its own sandbox (simulator + data source proxy + page server) on free ports.
 */
import { defineConfig } from '@playwright/test';
import { resolve } from 'node:path';
import { chromiumLaunchOptions } from '../chromium';

export default defineConfig({
  testDir: __dirname,
  testMatch: /.*\.spec\.ts$/,
  outputDir: resolve(__dirname, '../../test-results/sandbox'),
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunchOptions ?? {},
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
