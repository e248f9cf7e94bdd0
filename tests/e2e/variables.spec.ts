import { expect, test } from '@grafana/plugin-e2e';

import { selectors as pluginSelectors } from '../../src/components/selectors';
import { PROVISIONING_FILE, SIMULATOR_DS_NAME, activeProjectNames } from './fixtures';

test('a variable of kind Projects lists project names', async ({
  variableEditPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONING_FILE, name: SIMULATOR_DS_NAME });
  await variableEditPage.setVariableType('Query');
  await variableEditPage.datasource.set(ds.name);
  await variableEditPage
    .getByGrafanaSelector(pluginSelectors.variable.kind)
    .getByText('Projects', { exact: true })
    .click();

  // The names come from the projects list through the data source proxy.
  const listed = page.waitForResponse(
    (r) => r.url().includes('/api/datasources/proxy/') && r.url().includes('/v1/organization/projects')
  );
  await variableEditPage.runQuery();
  expect((await listed).ok()).toBe(true);
  await expect(variableEditPage).toDisplayPreviews(activeProjectNames().slice(0, 3));
});
