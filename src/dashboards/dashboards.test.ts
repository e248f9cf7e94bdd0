/**
 * The bundled dashboards must only ask for what the endpoint catalog supports, and every panel must load on
 * the simulator's organization without an error, so a dashboard never ships a query that fails on first load.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { ENDPOINTS, FilterKey, SourceId, defaultMetrics, findMetric } from '../api/catalog';
import { INSIGHT_KIND_IDS } from '../insights/kinds';
import { Harness, startHarness } from '../../tests/harness';
import { checkTimeSeriesQuery } from '../query/validate';
import { CURRENT_SCHEMA_VERSION, OpenAIQuery, QueryType } from '../types';

const PLUGIN_ID = 'aiusage-openai-datasource';
const FILES = ['costs-overview.json', 'token-usage.json', 'cost-insights.json'];

/** Fields a saved target may carry: the query model plus Grafana's own. */
const TARGET_KEYS = new Set([
  'refId',
  'datasource',
  'hide',
  'schemaVersion',
  'queryType',
  'source',
  'metrics',
  'bucketWidth',
  'groupBy',
  'filters',
  'legendFormat',
  'costByModel',
  'insight',
  'byProject',
  'byTokenType',
  'attributeTo',
]);

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<OpenAIQuery & { datasource?: { type?: string; uid?: string } }>;
  panels?: Panel[];
  repeat?: string;
  transformations?: Array<{ id: string }>;
  fieldConfig?: { defaults?: { unit?: string } };
}

interface Dashboard {
  title: string;
  annotations?: { list: Array<{ name: string; target?: OpenAIQuery }> };
  uid: string;
  time: { from: string; to: string };
  timezone?: string;
  templating: { list: Array<Record<string, unknown>> };
  panels: Panel[];
}

function load(file: string): Dashboard {
  return JSON.parse(readFileSync(join(__dirname, file), 'utf8'));
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

function queryPanels(d: Dashboard): Panel[] {
  return allPanels(d.panels).filter((p) => p.type !== 'row');
}

/** The units the target's metrics carry in the catalog (its defaults when it names none). */
function unitsOf(t: OpenAIQuery): string[] {
  const def = ENDPOINTS[t.source as SourceId];
  const fields = t.metrics?.length ? t.metrics : defaultMetrics(def);
  return fields.map((f) => findMetric(def, f)?.unit ?? '?');
}

describe.each(FILES)('%s', (file) => {
  const dashboard = load(file);
  const panels = queryPanels(dashboard);

  it('is listed in plugin.json under the same title', () => {
    const plugin = JSON.parse(readFileSync(join(__dirname, '..', 'plugin.json'), 'utf8'));
    const include = (plugin.includes ?? []).find((i: { path?: string }) => i.path === `dashboards/${file}`);
    expect(include).toBeDefined();
    expect(include.type).toBe('dashboard');
    expect(include.name).toBe(dashboard.title);
  });

  it('has a multi-select data source variable with All, and a row repeated per organization', () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: PLUGIN_ID, multi: true, includeAll: true });
    const rows = allPanels(dashboard.panels).filter((p) => p.type === 'row');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.repeat).toBe('datasource');
    }
    // Whole UTC days, as OpenAI's own dashboard and invoice count them, and a start that stays put between refreshes.
    expect(dashboard.time).toEqual({ from: 'now-30d/d', to: 'now' });
    expect(dashboard.timezone).toBe('utc');
  });

  it('points every panel and target at ${datasource}', () => {
    expect(panels.length).toBeGreaterThan(0);
    for (const p of panels) {
      expect({ title: p.title, ds: p.datasource }).toEqual({
        title: p.title,
        ds: { type: PLUGIN_ID, uid: '${datasource}' },
      });
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect({ title: p.title, ds: t.datasource }).toEqual({
          title: p.title,
          ds: { type: PLUGIN_ID, uid: '${datasource}' },
        });
      }
    }
  });

  it('only asks for what the catalog supports', () => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        const where = `${p.title} / ${t.refId}`;
        expect({ where, extra: Object.keys(t).filter((k) => !TARGET_KEYS.has(k)) }).toEqual({ where, extra: [] });
        // Saved in the current shape, so a bundled dashboard never depends on a migration.
        expect({ where, version: t.schemaVersion }).toEqual({ where, version: CURRENT_SCHEMA_VERSION });
        if (t.queryType === QueryType.Insight) {
          expect({ where, insight: INSIGHT_KIND_IDS.includes(t.insight!) }).toEqual({ where, insight: true });
          expect({ where, groupBy: t.groupBy }).toEqual({ where, groupBy: undefined });
          continue;
        }
        expect({ where, queryType: t.queryType }).toEqual({ where, queryType: QueryType.TimeSeries });
        const def = ENDPOINTS[t.source as SourceId];
        expect({ where, source: def?.id }).toEqual({ where, source: t.source });
        expect({ where, problems: checkTimeSeriesQuery(t) }).toEqual({ where, problems: [] });
        // Spelled out as well, so this test keeps its meaning if the editor's check changes.
        for (const m of t.metrics ?? []) {
          expect({ where, metric: m, ok: Boolean(findMetric(def, m)) }).toEqual({ where, metric: m, ok: true });
        }
        for (const g of t.groupBy ?? []) {
          expect({ where, groupBy: g, ok: def.groupBy.includes(g) }).toEqual({ where, groupBy: g, ok: true });
        }
        for (const f of Object.keys(t.filters ?? {}) as FilterKey[]) {
          expect({ where, filter: f, ok: def.filters.includes(f) }).toEqual({ where, filter: f, ok: true });
        }
        const width = t.bucketWidth ?? 'auto';
        expect({ where, width, ok: width === 'auto' || def.bucketWidths.includes(width) }).toEqual({
          where,
          width,
          ok: true,
        });
        if (t.costByModel) {
          expect({ where, costByModel: def.costByModel }).toEqual({ where, costByModel: true });
        }
      }
    }
  });

  it('gives each panel the unit of its metrics', () => {
    // Insight frames carry their own units per field.
    for (const p of panels.filter((x) => x.targets?.every((t) => t.queryType === QueryType.TimeSeries))) {
      const derived = p.transformations?.some((x) => x.id === 'calculateField');
      const units = new Set((p.targets ?? []).flatMap(unitsOf));
      const unit = p.fieldConfig?.defaults?.unit;
      if (derived) {
        expect({ title: p.title, unit }).toEqual({ title: p.title, unit: 'percentunit' });
      } else if (units.size === 1) {
        expect({ title: p.title, unit }).toEqual({ title: p.title, unit: [...units][0] });
      } else {
        // Mixed units in one panel: a plain number, never a misleading unit.
        expect({ title: p.title, unit }).toEqual({ title: p.title, unit: 'short' });
      }
    }
  });

  it('has unique panel ids', () => {
    const ids = allPanels(dashboard.panels).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('on the simulator', () => {
  const NOW = 1763900000;
  const DAY = 86400;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: NOW, jsonData: { monthlyBudget: 5000 } });
  });
  afterAll(() => h.close());

  it.each(FILES)('%s: every panel and annotation loads over 30 days without an error', async (file) => {
    const dashboard = load(file);
    const annotations = (dashboard.annotations?.list ?? []).flatMap((a) =>
      a.target ? [{ title: a.name, t: a.target }] : []
    );
    const targets = [
      ...queryPanels(dashboard).flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, t }))),
      ...annotations,
    ];
    for (const { title, t } of targets) {
      const res = await h.query([t], Math.floor(NOW / DAY) * DAY - 30 * DAY, NOW);
      expect({ title, errors: res.errors ?? [] }).toEqual({ title, errors: [] });
      expect({ title, frames: res.data.length > 0 }).toEqual({ title, frames: true });
    }
  });
});
