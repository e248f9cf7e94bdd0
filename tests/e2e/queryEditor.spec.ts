import { expect, test } from '@grafana/plugin-e2e';
import type { Locator, Page } from '@playwright/test';

import { selectors as pluginSelectors } from '../../src/components/selectors';
import { PROVISIONING_FILE, SIMULATOR_DS_NAME, activeProjectNames, isProxyResponse } from './fixtures';

/** Picks an option of a plugin Combobox by typing its label (the option list is virtualized). */
async function pick(page: Page, row: Locator, selector: string, label: string) {
  const input = row.getByTestId(selector);
  await input.click();
  await input.fill(label);
  await page.getByRole('option', { name: new RegExp(`^${label}\\b`) }).click();
}

test('the query editor in panel edit returns cost by project', async ({
  panelEditPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONING_FILE, name: SIMULATOR_DS_NAME });
  await panelEditPage.datasource.set(ds.name);
  await panelEditPage.timeRange.set({ from: 'now-7d', to: 'now' });
  await panelEditPage.setVisualization('Table');

  const row = panelEditPage.getQueryEditorRow('A');
  await pick(page, row, pluginSelectors.query.source, 'Costs');
  await pick(page, row, pluginSelectors.query.groupBy, 'Project');

  await expect(panelEditPage.refreshPanel({ waitForResponsePredicateCallback: isProxyResponse })).toBeOK();
  await expect(page.getByTestId(pluginSelectors.query.validation)).toHaveCount(0);
  await expect(panelEditPage.panel.fieldNames).toContainText([activeProjectNames()[0]], { useInnerText: true });
});

test('Explore runs a query', async ({ explorePage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONING_FILE, name: SIMULATOR_DS_NAME });
  await explorePage.datasource.set(ds.name);
  await explorePage.timeRange.set({ from: 'now-7d', to: 'now' });
  await pick(page, explorePage.getQueryEditorRow('A'), pluginSelectors.query.source, 'Costs');

  await expect(explorePage.runQuery({ waitForResponsePredicateCallback: isProxyResponse })).toBeOK();
});
