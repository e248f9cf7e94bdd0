import { expect, test } from '@grafana/plugin-e2e';

import { selectors as pluginSelectors } from '../../src/components/selectors';
import { PLUGIN_ID, PROVISIONING_FILE, SIMULATOR_DS_NAME, SIMULATOR_URL } from './fixtures';

test('Save & test of the provisioned simulator data source connects', async ({
  readProvisionedDataSource,
  gotoDataSourceConfigPage,
  selectors,
}) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONING_FILE, name: SIMULATOR_DS_NAME });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  // testDatasource() runs in the browser and calls the Admin API through the data source proxy.
  const proxyPath = `${selectors.apis.DataSource.proxy(ds.uid, configPage.datasource.id.toString())}/v1/organization/`;

  await expect(configPage.saveAndTest({ path: proxyPath })).toBeOK();
  await expect(configPage).toHaveAlert('success', { hasText: 'Connected to' });
});

test('a project key is refused with a message that asks for an admin key', async ({
  createDataSourceConfigPage,
  page,
  selectors,
}) => {
  const configPage = await createDataSourceConfigPage({ type: PLUGIN_ID });
  await configPage.getByGrafanaSelector(pluginSelectors.config.adminKey).fill('sk-proj-e2e0123456789abcdef');
  await configPage.getByGrafanaSelector(pluginSelectors.config.apiUrl).fill(SIMULATOR_URL);
  // The key hint warns before saving.
  await expect(page.getByTestId(pluginSelectors.config.keyHint)).toBeVisible();

  const proxyPath = `${selectors.apis.DataSource.proxy(
    configPage.datasource.uid,
    configPage.datasource.id.toString()
  )}/v1/organization/`;
  // Grafana's proxy turns OpenAI's 401 into a 400.
  await expect(configPage.saveAndTest({ path: proxyPath })).not.toBeOK();
  await expect(configPage).toHaveAlert('error', { hasText: /The key was refused|admin key/ });
});
