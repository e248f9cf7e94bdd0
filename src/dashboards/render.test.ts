/**
 * Every panel of every bundled dashboard as Grafana draws it: its queries run on the simulator over the
 * dashboard's default range (or the panel's own start), sized by the panel's width, then go through the panel's transformations, field
 * config, display names, reducers and legend calcs (tests/harness/panelView.ts). A panel passes when it shows
 * data under readable, distinct names, and every figure it shows means what its unit says.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { DataFrame } from '@grafana/data';

import { Harness, startHarness } from '../../tests/harness';
import { SavedDashboard, defaultVariables, drawnPanels } from '../../tests/harness/dashboard';
import { maxDataPointsOf, panelRange, viewPanel } from '../../tests/harness/panelView';

const FILES = ['costs-overview.json', 'token-usage.json', 'cost-insights.json'];
const NOW = 1763900000;

function load(file: string): SavedDashboard {
  return JSON.parse(readFileSync(join(__dirname, file), 'utf8'));
}

const cases = FILES.flatMap((file) => {
  const d = load(file);
  return drawnPanels(d.panels).map((p) => ({ file, title: p.title, panel: p, dashboard: d }));
});

describe('bundled dashboards as Grafana draws them', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: NOW, jsonData: { monthlyBudget: 5000 } });
  });
  afterAll(() => h.close());

  it.each(cases)('$file: $title', async ({ panel, dashboard }) => {
    h.setVariables(defaultVariables(dashboard));
    const range = panelRange(panel, dashboard.time, NOW * 1000);
    const targets = (panel.targets ?? []).filter((t) => !t.hide);
    const res = await h.query(targets, range.from / 1000, range.to / 1000, maxDataPointsOf(panel));
    expect(res.errors ?? []).toEqual([]);
    const view = await viewPanel(panel, res.data as DataFrame[]);
    expect(view.problems).toEqual([]);
    expect(view.items.length).toBeGreaterThan(0);
  });
});
