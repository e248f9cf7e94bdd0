/**
 * Browser tests of the built plugin in the sandbox page (no Grafana needed): `npm run test:browser`.
 * One project per Grafana line (grafana/lines.ts): the same tests load the same dist/module.js with that line's
 * shared modules. Each spec starts its own sandbox (simulator + data source proxy + page server) on free ports.
 */
import { defineConfig } from '@playwright/test';
import { resolve } from 'node:path';
import { chromiumLaunchOptions } from '../chromium';
import { grafanaLines } from './grafana/lines';

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
  projects: grafanaLines().map((line) => ({
    name: `grafana-${line.name}`,
    metadata: { grafana: line.name },
    use: { browserName: 'chromium' as const },
  })),
});
