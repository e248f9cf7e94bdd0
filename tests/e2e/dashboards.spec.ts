import { expect, test } from '@grafana/plugin-e2e';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { SIMULATOR_DS_UID } from './fixtures';

/** The bundled dashboards (provisioned by provisioning/dashboards/dashboards.yml). */
const DASHBOARDS_DIR = resolve(__dirname, '../../src/dashboards');
const dashboards = readdirSync(DASHBOARDS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(resolve(DASHBOARDS_DIR, f), 'utf8')) as { uid: string; title: string });

for (const dashboard of dashboards) {
  test(`bundled dashboard "${dashboard.title}" loads without panel errors`, async ({ gotoDashboardPage, page }) => {
    const settled = page.waitForResponse((r) => r.url().includes('/api/datasources/proxy/'));
    // Only the simulator's organization: the provisioned real-organization data source has no key unless
    // OPENAI_ADMIN_KEY was set, and its row would rightly show errors.
    const dashboardPage = await gotoDashboardPage({
      uid: dashboard.uid,
      timeRange: { from: 'now-7d', to: 'now' },
      queryParams: new URLSearchParams({ 'var-datasource': SIMULATOR_DS_UID }),
    });
    await settled;
    await page.waitForLoadState('networkidle');
    await expect(dashboardPage).not.toHavePanelErrors();
  });
}
