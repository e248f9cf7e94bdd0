/**
 * Browser tests of the built plugin in the sandbox page (no Grafana needed): `npm run test:browser`.
 * Each spec starts its own sandbox (simulator + data source proxy + page server) on free ports.
 */
import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

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
    // Playwright cannot download its own browser here; Debian's Chromium works with these flags.
    launchOptions: existsSync(SYSTEM_CHROMIUM)
      ? {
          executablePath: SYSTEM_CHROMIUM,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        }
      : {},
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
