/**
 * Every bundled dashboard drawn in the browser with Grafana's own visualization components (dashboardView.tsx),
 * against the simulator at its frozen clock: every panel draws with data, under readable names. One picture per
 * dashboard; `npm run screenshots` publishes them. Runs on the newest Grafana line only, to keep the suite short.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { type SavedDashboard, drawnPanels } from '../harness/dashboard';
import { grafanaLines } from './grafana/lines';
import { collectErrors } from './pageErrors';
import { bundledDashboards, dashboardPicture, picturePath } from './pictures';
import { SANDBOX_NOW, type Sandbox, startSandbox } from './server';

/** A pattern matching any of `patterns`; texts match literally. */
function oneOf(patterns: Array<RegExp | string>): RegExp {
  const sources = patterns.map((p) => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : p.source));
  return new RegExp(sources.join('|'));
}

/** A dashboard picture's width: a common full-HD screen, as the render check sizes panels (SCREEN_WIDTH_PX). */
const WIDTH = 1920;

let sandbox: Sandbox;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, testInfo) => {
  const line = String(testInfo.project.metadata.grafana);
  test.skip(line !== grafanaLines().at(-1)!.name, 'dashboards are drawn on the newest Grafana line only');
  sandbox = await startSandbox({ grafana: line });
});

test.afterAll(async () => {
  await sandbox?.close();
});

for (const include of bundledDashboards) {
  test(`${include.name}: every panel draws with data`, { tag: '@picture' }, async ({ page }) => {
    const dashboard = JSON.parse(readFileSync(resolve(__dirname, '../../src', include.path), 'utf8')) as SavedDashboard;
    const errors = collectErrors(page);
    await page.setViewportSize({ width: WIDTH, height: 1080 });
    await page.clock.setFixedTime(SANDBOX_NOW * 1000);
    await page.goto(`${sandbox.url}/?dashboard=${encodeURIComponent(include.path)}`);
    await expect(page.locator('body')).toHaveAttribute('data-sandbox', 'ready', { timeout: 45_000 });

    const panels = page.getByTestId('dashboard-panel');
    const expected = drawnPanels(dashboard.panels);
    await expect(panels).toHaveCount(expected.length);
    for (const panel of await panels.all()) {
      const title = await panel.getAttribute('data-title');
      const type = await panel.getAttribute('data-type');
      // What Grafana would draw, checked as the render check checks it, on this line's @grafana/data.
      expect({ title, problems: JSON.parse((await panel.getAttribute('data-problems')) ?? '[]') }).toEqual({
        title,
        problems: [],
      });
      await expect(panel.getByTestId('panel-no-data'), `${title}`).toHaveCount(0);
      await expect(panel, `${title}`).not.toContainText(/No data|NaN|undefined/);
      switch (type) {
        case 'timeseries':
          // uPlot draws on a canvas, with a legend entry per series.
          await expect(panel.locator('.uplot canvas').first(), `${title}`).toBeVisible();
          break;
        case 'stat':
        case 'gauge':
        case 'bargauge':
          // A number, or the panel's own words for a value that is missing by design ("Not this month").
          const noValues = JSON.parse((await panel.getAttribute('data-no-values')) ?? '[]') as string[];
          await expect(panel, `${title}`).toContainText(oneOf([/\d/, ...noValues]));
          break;
        case 'table':
          await expect(panel.getByRole('row').nth(1), `${title}`).toBeVisible();
          break;
      }
    }
    expect(errors).toEqual([]);
    await page.screenshot({
      path: picturePath(sandbox.grafana.name, dashboardPicture(include.path)),
      fullPage: true,
      animations: 'disabled',
    });
  });
}
