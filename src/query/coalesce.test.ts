/**
 * A dashboard's panels opened together, against the simulator: fetches of the same endpoint, width, filters and
 * range share one request grouped by a small union of their dimensions, and every panel gets exactly the frames it
 * gets when fetched alone.
 */
import { DataFrame, DataQueryResponse } from '@grafana/data';

import costInsights from '../dashboards/cost-insights.json';
import costsOverview from '../dashboards/costs-overview.json';
import tokenUsage from '../dashboards/token-usage.json';
import { RequestCache } from '../api/cache';
import { ENDPOINTS, GroupByKey } from '../api/catalog';
import { AdminApiClient } from '../api/client';
import { UsageBucket, UsagePage } from '../api/types';
import { DataSource } from '../datasource';
import { Harness, instanceSettings, panelRequest, startHarness } from '../../tests/harness';
import { PanelRequest, dashboardPanels, panelRequests } from '../../tests/bench/scenarios';
import { CoalescedFetches, FEW_VALUES } from './coalesce';

const NOW = 1763900000;
const HOUR = 3600;
const JSON_DATA = { monthlyBudget: 5000 };

let h: Harness;
beforeAll(async () => {
  // The dashboards' variables at their defaults (All).
  h = await startHarness({
    now: NOW,
    jsonData: JSON_DATA,
    variables: ['project', 'model'].map((name) => ({ name, value: '$__all' })),
  });
});
afterAll(() => h.close());

/** A data source with nothing kept, on the harness's proxy and clock. */
const fresh = (uid: string) =>
  new DataSource(instanceSettings(h.proxy.proxyBase, { apiUrl: h.sim.url, ...JSON_DATA }, uid), h.ds.now);

/** Every panel at once, as Grafana opens a dashboard. */
async function open(ds: DataSource, panels: PanelRequest[]): Promise<DataQueryResponse[]> {
  return Promise.all(
    panels.map((p) => ds.query(panelRequest(p.targets, p.from, p.to, p.maxDataPoints)) as Promise<DataQueryResponse>)
  );
}

/** Requests the simulator answered since the last reset. */
function sent() {
  const log = h.sim.stats().log;
  const buckets = log.filter((e) => e.path.startsWith('/v1/organization/usage') || e.path === '/v1/organization/costs');
  return { buckets, lists: log.length - buckets.length, rateLimited: log.filter((e) => e.status === 429).length };
}

/** Frames with every number apart, so numbers compare to 1e-9 and everything else exactly. */
function split(frames: DataFrame[]) {
  const numbers: number[] = [];
  const shape = frames.map((f) => ({
    ...f,
    fields: f.fields.map((field) => ({
      ...field,
      values: field.values.map((v: unknown) => {
        if (typeof v === 'number') {
          numbers.push(v);
          return 'number';
        }
        return v;
      }),
    })),
  }));
  return { shape, numbers };
}

function expectSameFrames(title: string, actual: DataQueryResponse, alone: DataQueryResponse) {
  expect({ title, errors: actual.errors ?? [] }).toEqual({ title, errors: alone.errors ?? [] });
  const a = split(actual.data);
  const e = split(alone.data);
  expect({ title, frames: a.shape }).toEqual({ title, frames: e.shape });
  expect(a.numbers.length).toBe(e.numbers.length);
  a.numbers.forEach((v, i) => {
    if (Math.abs(v - e.numbers[i]) > 1e-9 * Math.max(1, Math.abs(e.numbers[i]))) {
      throw new Error(`${title}: value ${i} is ${v}, alone ${e.numbers[i]}`);
    }
  });
}

describe('a dashboard refresh', () => {
  beforeEach(() => {
    h.sim.configure({ now: NOW });
    h.sim.resetStats();
  });

  it('gives every panel of the bundled dashboards the frames it gets alone', async () => {
    const panels = [costsOverview, tokenUsage, costInsights].flatMap((d) => panelRequests(d, NOW));
    const together = await open(fresh('together'), panels);
    const merged = sent().buckets.length;
    let alone = 0;
    for (const [i, panel] of panels.entries()) {
      h.sim.resetStats();
      const [own] = await open(fresh(`alone-${i}`), [panel]);
      alone += sent().buckets.length;
      expect({ title: panel.title, frames: own.data.length > 0 }).toEqual({ title: panel.title, frames: true });
      expectSameFrames(panel.title, together[i], own);
    }
    expect(merged).toBeLessThan(alone / 2);
  }, 180_000);

  it('opens the costs and usage dashboards with one request per shared fetch, and refreshes with the recent ones', async () => {
    const ds = fresh('dashboards');
    const panels = dashboardPanels(NOW);
    await open(ds, panels);
    const cold = sent();
    // Per endpoint, the groupings sent: costs by project and line item together (the panels by project, line item,
    // model and the totals), by API key apart; completions by model and batch together (and the totals), by user and
    // by API key apart. Each once per window.
    const groupings = new Map<string, Map<string, number>>();
    for (const e of cold.buckets) {
      const sentFor = groupings.get(e.path) ?? new Map<string, number>();
      const groupBy = new URLSearchParams(e.query).getAll('group_by[]').join(',');
      sentFor.set(groupBy, (sentFor.get(groupBy) ?? 0) + 1);
      groupings.set(e.path, sentFor);
    }
    // A key grouping also sends project_id (to list only those projects' keys), so the project panel shares it.
    expect(Object.fromEntries(groupings.get('/v1/organization/costs')!)).toEqual({
      line_item: 1,
      'project_id,api_key_id': 1,
    });
    // Auto picks daily buckets for the dashboards' 30 days, and the top panels ask for days: one request each.
    expect(Object.fromEntries(groupings.get('/v1/organization/usage/completions')!)).toEqual({
      'model,batch': 1,
      user_id: 1,
      'project_id,api_key_id': 1,
    });
    expect(cold.rateLimited).toBe(0);

    h.sim.configure({ now: NOW + 60 });
    h.sim.resetStats();
    await open(
      ds,
      panels.map((p) => ({ ...p, to: NOW + 60 }))
    );
    const refresh = sent();
    expect(refresh.lists).toBe(0);
    // One request per endpoint and width: the provisional buckets, for every grouping at once.
    const recent = refresh.buckets.map((e) => {
      const q = new URLSearchParams(e.query);
      return `${e.path} ${q.get('bucket_width')}`;
    });
    expect(new Set(recent).size).toBe(recent.length);
  });
});

describe('a refresh once the organization is known to be small', () => {
  // Every project has usage in the last 7 days then (none archived yet), so the panels list every project's keys.
  const JUNE = Date.UTC(2025, 5, 18, 14, 37, 23) / 1000;
  afterAll(() => h.sim.configure({ now: NOW }));

  it('sends users and keys with the other groupings of a window reaching now, and every panel gets what it gets alone', async () => {
    // Grafana's default "Last 7 days": every refresh moves the first, partial bucket, so the daily panels fetch their
    // whole range again.
    const ds = fresh('known-lists');
    h.sim.configure({ now: JUNE });
    h.sim.resetStats();
    await open(ds, dashboardPanels(JUNE, 'now-7d'));
    const daily = (path: string) =>
      sent()
        .buckets.filter((e) => e.path === path && new URLSearchParams(e.query).get('bucket_width') === '1d')
        .map((e) => new URLSearchParams(e.query).getAll('group_by[]').join(','))
        .sort();
    // Cold, the lists are not read yet: users and keys go apart.
    expect(daily('/v1/organization/usage/completions')).toEqual(['project_id,api_key_id', 'user_id']);
    expect(ds.names.knownCount('user')).toBeLessThanOrEqual(FEW_VALUES);
    expect(ds.names.knownCount('apiKey')).toBeLessThanOrEqual(FEW_VALUES);

    h.sim.configure({ now: JUNE + 60 });
    h.sim.resetStats();
    const panels = dashboardPanels(JUNE + 60, 'now-7d');
    const refreshed = await open(ds, panels);
    // The users and keys lists are short, so they join the other groupings: one request per endpoint, width and start.
    expect(daily('/v1/organization/usage/completions')).toEqual(['project_id,user_id,api_key_id']);
    expect(daily('/v1/organization/costs')).toHaveLength(1);
    const fetches = sent().buckets.map((e) => {
      const q = new URLSearchParams(e.query);
      return `${e.path} ${q.get('bucket_width')} ${q.get('start_time')}`;
    });
    expect(new Set(fetches).size).toBe(fetches.length);
    expect(sent().lists).toBe(0);

    const alone = await open(fresh('known-lists-alone'), panels);
    panels.forEach((p, i) => expectSameFrames(p.title, refreshed[i], alone[i]));
  }, 60_000);
});

describe('CoalescedFetches', () => {
  const bucket = (start: number): UsageBucket => ({
    object: 'bucket',
    start_time: start,
    end_time: start + 86400,
    results: [],
  });
  const page = (data: UsageBucket[]): UsagePage => ({ object: 'page', data, has_more: false, next_page: null });
  const days = 30;
  // Daily buckets of the requested range only, as the API answers.
  const getJson = jest.fn(async (_path: string, params: { start_time: number; end_time: number }) =>
    page(
      Array.from({ length: Math.ceil((params.end_time - params.start_time) / 86400) }, (_, i) =>
        bucket(params.start_time + i * 86400)
      )
    )
  );
  const shared = () =>
    new CoalescedFetches({ cache: new RequestCache(), getJson: getJson as unknown as AdminApiClient['getJson'] });
  const costs = (groupBy: GroupByKey[]) => ({
    def: ENDPOINTS.costs,
    width: '1d' as const,
    groupBy,
    params: { bucket_width: '1d', group_by: groupBy.length ? groupBy : undefined, limit: 180 },
  });
  const sentGroupings = () =>
    getJson.mock.calls.map((c) => ((c[1] as { group_by?: string[] }).group_by ?? []).join(',')).sort();
  beforeEach(() => getJson.mockClear());

  it('adds at most one narrow dimension to the largest grouping of a long range, and none beside a wide one', async () => {
    const s = shared();
    const groupings: GroupByKey[][] = [[], ['line_item'], ['api_key_id'], ['project_id'], [], ['line_item']];
    await Promise.all(groupings.map((g) => s.fetch(costs(g), 0, days * 86400, true)));
    expect(sentGroupings()).toEqual(['api_key_id', 'project_id,line_item']);
  });

  it('does not depend on which panel asked first', async () => {
    const s = shared();
    const groupings: GroupByKey[][] = [['project_id'], ['line_item'], [], ['api_key_id']];
    await Promise.all(groupings.map((g) => s.fetch(costs(g), 0, days * 86400, true)));
    expect(sentGroupings()).toEqual(['api_key_id', 'project_id,line_item']);
  });

  it('merges any groupings of a short recent range', async () => {
    const s = shared();
    const groupings: GroupByKey[][] = [['project_id'], ['line_item'], ['api_key_id']];
    await Promise.all(groupings.map((g) => s.fetch(costs(g), 0, 2 * 86400, false)));
    expect(sentGroupings()).toEqual(['project_id,line_item,api_key_id']);
  });

  it('never merges different filters, widths or range ends', async () => {
    const s = shared();
    const filtered = { ...costs([]), params: { ...costs([]).params, project_ids: ['proj_a'] } };
    await Promise.all([
      s.fetch(costs(['project_id']), 0, days * 86400, true),
      s.fetch(filtered, 0, days * 86400, true),
      s.fetch(costs([]), 0, days * 86400 - HOUR * 24, true),
    ]);
    expect(getJson).toHaveBeenCalledTimes(3);
  });
});
