/**
 * The built plugin (dist/module.js) in a browser, loaded as Grafana loads it, against the OpenAI Admin API
 * simulator behind the Grafana-like data source proxy. Runs once per Grafana line (playwright.config.ts).
 */
import { expect, type Page, type Request, test } from '@playwright/test';

import { selectors } from '../../src/components/selectors';
import { DEFAULT_INSIGHT_KIND, INSIGHT_KINDS } from '../../src/insights/kinds';
import { distinctNames, projectName } from '../../src/org/names';
import type { QueryType } from '../../src/types';
import { collectErrors } from './pageErrors';
import { picturePath } from './pictures';
import { SANDBOX_NOW, type Sandbox, startSandbox } from './server';

const FULL_KEY = 'sk-admin-sim-full';
const PROJECT_KEY = 'sk-proj-Sandbox0123456789abcdefABCDEF';

/** The plugin's selectors are whole `data-testid` values (Grafana's convention keeps the prefix in the value). */
const testId = (selector: string) => selector;

let sandbox: Sandbox;
/** Where the screenshot `name` of this line goes (pictures.ts). */
const shot = (name: string) => picturePath(sandbox.grafana.name, name);

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, testInfo) => {
  sandbox = await startSandbox({ grafana: String(testInfo.project.metadata.grafana) });
});

test.afterAll(async () => {
  await sandbox?.close();
});

test.beforeEach(() => {
  sandbox.reset();
});

async function openSandbox(page: Page) {
  await page.goto(sandbox.url);
  await expect(page.locator('body')).toHaveAttribute('data-sandbox', 'ready');
  // The page runs the React of the line under test, not the plugin's own.
  await expect(page.locator('body')).toHaveAttribute('data-react', sandbox.grafana.react);
}

/** Replaces the stored key through the config editor, as a user would, then clicks Save & test. */
async function saveAndTestWithKey(page: Page, key: string) {
  const config = page.getByTestId('sandbox-config');
  await config.getByRole('button', { name: 'Reset' }).click();
  await page.getByTestId(testId(selectors.config.adminKey)).fill(key);
  await page.getByTestId('sandbox-save-test').click();
}

async function pickOption(page: Page, selector: string, option: string) {
  const input = page.getByTestId(testId(selector));
  await input.click();
  // The list is virtualized: filter it by typing, as a user would, so the option is rendered.
  await input.fill(option);
  // An option's accessible name is its label followed by its description.
  await page.getByRole('option', { name: new RegExp(`^${option}\\b`) }).click();
}

test('Save & test with a full admin key reports a working connection', { tag: '@picture' }, async ({ page }) => {
  await openSandbox(page);
  await saveAndTestWithKey(page, FULL_KEY);

  const result = page.getByTestId('sandbox-test-result');
  await expect(result).toHaveAttribute('data-status', 'success');
  await expect(result).toContainText('Connected to');
  // After saving, the page knows only that a key is set, as in Grafana.
  await expect(page.getByTestId(testId(selectors.config.adminKey))).toHaveValue('configured');
  expect(sandbox.stored().secureJsonData.adminApiKey).toBe(FULL_KEY);

  await page.getByTestId('sandbox-config').screenshot({ path: shot('config.png') });
});

test('Save & test with a project key says the key was refused and an admin key is needed', async ({ page }) => {
  await openSandbox(page);
  await saveAndTestWithKey(page, PROJECT_KEY);

  const result = page.getByTestId('sandbox-test-result');
  await expect(result).toHaveAttribute('data-status', 'error');
  await expect(result).toContainText('The key was refused');
  await expect(result).toContainText('admin key');
  await page.getByTestId('sandbox-config').screenshot({ path: shot('config-refused.png') });
});

test(
  'a query built in the editor returns one series per project with the simulator totals',
  { tag: '@picture' },
  async ({ page }) => {
    await openSandbox(page);
    await pickOption(page, selectors.query.source, 'Costs');
    await pickOption(page, selectors.query.groupBy, 'Project');
    // Leaving the multi-select closes it and clears its filter text.
    await page.getByRole('heading', { name: 'Query', exact: true }).click();
    await page.getByTestId('sandbox-run').click();

    const state = page.getByTestId('sandbox-query-state');
    await expect(state).toHaveAttribute('data-state', 'Done');
    await expect(page.getByTestId('sandbox-query-error')).toHaveCount(0);

    // Ground truth from the simulator: every project with spend in the range, by name, to the cent.
    const { from, to } = sandbox.range;
    const { org } = sandbox.sim;
    // Projects are shown by name, told apart by a short ID suffix where two share one.
    const names = distinctNames(org.projects, projectName, (p) => p.id);
    const expected = new Map<string, string>();
    for (const p of org.projects) {
      const cost = org.sumCost(from, to, { project_id: p.id });
      if (cost > 0) {
        expected.set(names.get(p.id)!, cost.toFixed(2));
      }
    }
    expect(expected.size).toBeGreaterThan(1);

    const items = page.getByTestId('sandbox-series').locator('li');
    await expect(items).toHaveCount(expected.size);
    const shown = new Map<string, string>();
    let shownTotal = 0;
    for (const li of await items.all()) {
      const total = Number(await li.getAttribute('data-total'));
      shown.set((await li.getAttribute('data-name')) ?? '', total.toFixed(2));
      shownTotal += total;
    }
    expect(shown).toEqual(expected);
    // Nothing is lost between projects: the series add up to the organization's spend.
    expect(shownTotal.toFixed(2)).toBe(org.sumCost(from, to).toFixed(2));

    await page.getByTestId('sandbox-query').screenshot({ path: shot('query-editor.png') });
    await page.getByTestId('sandbox-result').screenshot({ path: shot('result.png') });
  }
);

test('no request from the page carries the admin key', async ({ page }) => {
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));

  await openSandbox(page);
  await saveAndTestWithKey(page, FULL_KEY);
  await expect(page.getByTestId('sandbox-test-result')).toHaveAttribute('data-status', 'success');
  await pickOption(page, selectors.query.source, 'Costs');
  await page.getByTestId('sandbox-run').click();
  await expect(page.getByTestId('sandbox-query-state')).toHaveAttribute('data-state', 'Done');

  const proxied = requests.filter((r) => new URL(r.url()).pathname.startsWith('/api/datasources/proxy/uid/openai/'));
  expect(proxied.length).toBeGreaterThan(3);
  for (const r of proxied) {
    expect(r.method()).toBe('GET');
    expect(new URL(r.url()).pathname).toMatch(/^\/api\/datasources\/proxy\/uid\/openai\/v1\/organization\//);
  }
  for (const r of requests) {
    const headers = await r.allHeaders();
    const where = `${r.method()} ${r.url()}`;
    expect(r.url(), where).not.toContain('sk-admin');
    for (const [name, value] of Object.entries(headers)) {
      expect(value, `${where} header ${name}`).not.toContain('sk-admin');
    }
    // The one place the key goes: the settings save, as Grafana's data source API receives it.
    const isSave = r.method() === 'POST' && new URL(r.url()).pathname === '/sandbox/settings';
    if (!isSave) {
      expect(r.postData() ?? '', where).not.toContain('sk-admin');
    }
  }
  // It is stored as a secret, never as plain settings.
  expect(JSON.stringify(sandbox.stored().jsonData)).not.toContain('sk-');
  const publicSettings = await (await page.request.get(`${sandbox.url}/sandbox/settings`)).text();
  expect(publicSettings).not.toContain('sk-admin');
});

/** A field only the editor of each query type shows. */
const EDITOR_FIELD = {
  timeSeries: selectors.query.source,
  inventory: selectors.query.inventoryKind,
  auditLogs: selectors.query.auditEventTypes,
  insight: selectors.query.insightKind,
} satisfies Record<QueryType, string>;

test(
  "every query type's editor renders and its default query runs without errors",
  { tag: '@picture' },
  async ({ page }) => {
    // Four editors and four queries: three times the time of one.
    test.slow();
    // The page's clock at the simulator's: look-back queries (inventory activity, insights) ask for its days.
    await page.clock.setFixedTime(SANDBOX_NOW * 1000);
    const errors = collectErrors(page);
    await openSandbox(page);

    const choices = page.getByTestId(testId(selectors.query.queryType)).getByRole('radio');
    const types = Object.keys(EDITOR_FIELD) as QueryType[];
    // Every type the editor offers is checked here, in the editor's order.
    await expect(choices).toHaveCount(types.length);
    const query = page.getByTestId('sandbox-query');
    for (const [i, type] of types.entries()) {
      await choices.nth(i).check();
      await expect(query).toHaveAttribute('data-query-type', type);
      await expect(page.getByTestId(testId(EDITOR_FIELD[type]))).toBeVisible();
      if (type === 'insight') {
        // The insight a new Insights query shows is the one it runs.
        await expect(page.getByTestId(testId(selectors.query.insightKind))).toHaveValue(
          INSIGHT_KINDS[DEFAULT_INSIGHT_KIND].label
        );
      }
      await page.getByTestId('sandbox-run').click();
      const state = page.getByTestId('sandbox-query-state');
      await expect(state).toHaveAttribute('data-query-type', type);
      await expect(state).toHaveAttribute('data-state', /^(Done|Error)$/);
      expect(await page.getByTestId('sandbox-query-error').allTextContents(), type).toEqual([]);
      await expect(state).toHaveAttribute('data-state', 'Done');
      await query.screenshot({ path: shot(`editor-${type}.png`) });
    }
    expect(errors).toEqual([]);
  }
);

test('a saved query shows its filters in full and every placeholder whole', { tag: '@picture' }, async ({ page }) => {
  const { org } = sandbox.sim;
  const names = distinctNames(org.projects, projectName, (p) => p.id);
  const project = org.projects[0];
  const models = ['gpt-4o-2024-08-06', 'gpt-4o-mini-2024-07-18'];
  const saved = {
    refId: 'A',
    queryType: 'timeSeries',
    schemaVersion: 2,
    source: 'completions',
    metrics: [],
    groupBy: [],
    filters: { projectIds: [project.id], models },
  };
  await page.goto(`${sandbox.url}/?query=${encodeURIComponent(JSON.stringify(saved))}`);
  await expect(page.locator('body')).toHaveAttribute('data-sandbox', 'ready');

  // Each chosen value as its own chip, by name, where there is room for it (not "Model … 1").
  const modelPicker = page.getByTestId(testId(selectors.query.filter('models'))).locator('xpath=..');
  for (const model of models) {
    const chip = modelPicker.getByText(model, { exact: true });
    await expect(chip).toBeVisible();
    // Whole, not cut to "gpt-4o-2024-…".
    expect(await chip.evaluate((el) => el.scrollWidth <= el.clientWidth), model).toBe(true);
  }
  const projectPicker = page.getByTestId(testId(selectors.query.filter('projectIds'))).locator('xpath=..');
  await expect(projectPicker.getByText(names.get(project.id)!, { exact: true })).toBeVisible();

  // Every empty picker's placeholder is shown whole ("No grouping: one total", the default metrics).
  const query = page.getByTestId('sandbox-query');
  const cut = await query
    .locator('input[placeholder]')
    .evaluateAll((inputs) =>
      (inputs as HTMLInputElement[])
        .filter((i) => i.value === '' && i.offsetParent !== null && i.scrollWidth > i.clientWidth)
        .map((i) => i.placeholder)
    );
  expect(cut).toEqual([]);
  await query.screenshot({ path: shot('editor-saved-query.png') });
});
