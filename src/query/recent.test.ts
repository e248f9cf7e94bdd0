/**
 * Refreshing ranges that end at now, against the simulator: only the buckets after the kept settled ones are
 * fetched, panels that differ in grouping share one request, and every panel shows exactly what a data source
 * with nothing kept shows.
 */
import { DataFrame, DataQueryResponse } from '@grafana/data';

import { RequestCache } from '../api/cache';
import { ENDPOINTS } from '../api/catalog';
import { AdminApiClient } from '../api/client';
import { UsageBucket, UsagePage } from '../api/types';
import { DataSource } from '../datasource';
import { Harness, instanceSettings, panelRequest, startHarness } from '../../tests/harness';
import { OpenAIQuery, QueryType } from '../types';
import { RecentBuckets } from './recent';

const NOW = Date.UTC(2025, 5, 18, 14, 37, 23) / 1000;
const HOUR = 3600;
const DAY = 86400;
const TODAY = Math.floor(NOW / DAY) * DAY;
const MONTH = Date.UTC(2025, 5, 1) / 1000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: NOW });
});
afterAll(() => h.close());
beforeEach(() => {
  h.sim.configure({ now: NOW });
  h.sim.resetStats();
  h.ds.client.cache.clear();
  // The organization's lists unread, as when a dashboard first opens: users and keys count as wide.
  h.ds.names.clear();
});

const ts = (extra: Partial<OpenAIQuery>): Partial<OpenAIQuery> => ({
  queryType: QueryType.TimeSeries,
  groupBy: [],
  metrics: [],
  ...extra,
});

interface Panel {
  targets: Array<Partial<OpenAIQuery>>;
  /** Start of the range; the range ends at the simulator's now. */
  from: number;
}

/** Every panel at once, as a dashboard (re)loads. */
async function load(ds: DataSource, panels: Panel[]): Promise<DataFrame[][]> {
  const to = h.sim.now();
  const run = (p: Panel) => {
    const targets = p.targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), ...t }) as OpenAIQuery);
    return ds.query(panelRequest(targets, p.from, to, 1000)) as Promise<DataQueryResponse>;
  };
  const responses = await Promise.all(panels.map(run));
  return responses.map((r) => {
    expect(r.errors ?? []).toEqual([]);
    return r.data as DataFrame[];
  });
}

/** A data source with nothing kept, on the same proxy and clock. */
const fresh = () => new DataSource(instanceSettings(h.proxy.proxyBase, {}, 'fresh'), h.ds.now);

/** Series as name → values, to compare two loads. */
const series = (frames: DataFrame[]): Record<string, number[]> =>
  Object.fromEntries(
    frames.map((f) => [f.name, [...f.fields[0].values, ...f.fields[1].values].map(Number)] as [string, number[]])
  );

function expectSame(actual: DataFrame[][], expected: DataFrame[][]) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((frames, i) => {
    const a = series(frames);
    const e = series(expected[i]);
    expect(Object.keys(a).sort()).toEqual(Object.keys(e).sort());
    for (const name of Object.keys(e)) {
      expect(a[name].length).toBe(e[name].length);
      a[name].forEach((v, j) => expect(v).toBeCloseTo(e[name][j], 9));
    }
  });
}

/** Usage and costs requests since the last reset, with their parameters. */
const bucketRequests = () =>
  h.sim
    .stats()
    .log.filter((e) => e.path.startsWith('/v1/organization/usage') || e.path === '/v1/organization/costs')
    .map((e) => {
      const q = new URLSearchParams(e.query);
      return { path: e.path, start: Number(q.get('start_time')), groupBy: q.getAll('group_by[]') };
    });

async function refreshAfter(seconds: number, panels: Panel[]) {
  h.sim.configure({ now: NOW + seconds });
  h.sim.resetStats();
  const refreshed = await load(h.ds, panels);
  const requests = bucketRequests();
  h.sim.resetStats();
  expectSame(refreshed, await load(fresh(), panels));
  return requests;
}

describe('refreshing a range that ends at now', () => {
  const hourly = (groupBy: OpenAIQuery['groupBy']) => ts({ source: 'completions', bucketWidth: '1h', groupBy });
  const from = TODAY - 10 * DAY;

  it('fetches only the buckets after the settled ones it keeps, and shows what a fresh data source shows', async () => {
    const panels = [{ targets: [hourly(['model'])], from }];
    await load(h.ds, panels);
    // 10 days and 14 h of hours: two windows of at most 168.
    expect(bucketRequests()).toHaveLength(2);

    const settledEnd = Math.floor((NOW - HOUR) / HOUR) * HOUR;
    expect(await refreshAfter(60, panels)).toEqual([
      { path: '/v1/organization/usage/completions', start: settledEnd, groupBy: ['model'] },
    ]);
    // Two hours later, the buckets after the kept ones; those that have settled since are kept in turn.
    expect(await refreshAfter(2 * HOUR, panels)).toEqual([
      { path: '/v1/organization/usage/completions', start: settledEnd, groupBy: ['model'] },
    ]);
    expect(await refreshAfter(2 * HOUR + 60, panels)).toEqual([
      { path: '/v1/organization/usage/completions', start: settledEnd + 2 * HOUR, groupBy: ['model'] },
    ]);
  });

  it('sends the refresh request before reading the kept windows, which would hold up its start', async () => {
    const panels = [{ targets: [hourly(['model'])], from: TODAY - 20 * DAY }];
    await load(h.ds, panels);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const cache = h.ds.client.cache;
    const get = jest.spyOn(cache, 'get');
    try {
      // Three windows: two settled and kept, one reaching now.
      expect(await refreshAfter(60, panels)).toHaveLength(1);
      const reads = get.mock.calls.map(([key]) => (key.startsWith('settled ') ? 'kept window' : 'request'));
      expect(reads.slice(0, 3)).toEqual(['request', 'kept window', 'kept window']);
    } finally {
      get.mockRestore();
    }
  });

  it('refreshes the same from settled buckets not yet compacted as from their columns', async () => {
    const panels = [{ targets: [hourly(['model', 'batch'])], from }];
    await load(h.ds, panels);
    // The answers are in before the windows that came last are compacted for the cache.
    const compactedAtAnswer = h.ds.client.cache.size.entries;
    const settledEnd = Math.floor((NOW - HOUR) / HOUR) * HOUR;
    const recent = (groupBy: string[]) => ({ path: '/v1/organization/usage/completions', start: settledEnd, groupBy });
    expect(await refreshAfter(60, panels)).toEqual([recent(['model', 'batch'])]);

    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(h.ds.client.cache.size.entries).toBeGreaterThan(compactedAtAnswer);
    expect(await refreshAfter(120, panels)).toEqual([recent(['model', 'batch'])]);
  });

  it('sends one request for panels that differ only in grouping, summed back to each grouping', async () => {
    const panels = [
      { targets: [hourly(['model'])], from },
      { targets: [hourly([]), hourly(['batch'])], from },
      { targets: [hourly(['project_id', 'user_id'])], from },
    ];
    await load(h.ds, panels);
    // Two windows each for model and batch together, and for project and user (a user beside a model would
    // multiply the rows of 10 days).
    expect(bucketRequests().map((r) => r.groupBy.join(','))).toEqual(
      expect.arrayContaining(['model,batch', 'model,batch', 'project_id,user_id', 'project_id,user_id'])
    );
    expect(bucketRequests()).toHaveLength(2 * 2);

    const requests = await refreshAfter(60, panels);
    expect(requests).toEqual([
      {
        path: '/v1/organization/usage/completions',
        start: Math.floor((NOW - HOUR) / HOUR) * HOUR,
        groupBy: ENDPOINTS.completions.groupBy.filter((g) => ['model', 'batch', 'project_id', 'user_id'].includes(g)),
      },
    ]);
  });

  it('serves today, the month and 30 days of costs from one request, to the cent and below', async () => {
    const costs = (groupBy: OpenAIQuery['groupBy'], extra: Partial<OpenAIQuery> = {}) =>
      ts({ source: 'costs', bucketWidth: '1d', groupBy, ...extra });
    const panels = [
      { targets: [costs([])], from: TODAY },
      { targets: [costs([])], from: MONTH },
      { targets: [costs(['project_id']), costs(['line_item'])], from: TODAY - 30 * DAY },
      { targets: [costs([], { costByModel: true })], from: TODAY - 30 * DAY },
    ];
    await load(h.ds, panels);
    const requests = await refreshAfter(60, panels);
    // Costs stay provisional for 36 h: yesterday and today are fetched again, once.
    expect(requests).toEqual([
      { path: '/v1/organization/costs', start: TODAY - DAY, groupBy: ['project_id', 'line_item'] },
    ]);
  });

  it('never cuts a range with a partial first bucket out of another one', async () => {
    const panels = [
      { targets: [hourly(['model'])], from: NOW - 2 * HOUR - 20 * 60 },
      { targets: [hourly(['model'])], from: Math.floor(NOW / HOUR) * HOUR - 2 * HOUR },
    ];
    const loaded = await load(h.ds, panels);
    expect(bucketRequests().map((r) => r.start)).toEqual(
      expect.arrayContaining([NOW - 2 * HOUR - 20 * 60, Math.floor(NOW / HOUR) * HOUR - 2 * HOUR])
    );
    expect(bucketRequests()).toHaveLength(2);
    h.sim.resetStats();
    expectSame(loaded, await load(fresh(), panels));
  });
});

describe('RecentBuckets', () => {
  const def = ENDPOINTS.completions;
  const bucket = (start: number, results: UsageBucket['results'] = []): UsageBucket => ({
    object: 'bucket',
    start_time: start,
    end_time: start + HOUR,
    results,
  });
  const fakeClient = (getJson: jest.Mock) => ({
    cache: new RequestCache(),
    getJson: getJson as unknown as AdminApiClient['getJson'],
  });
  const page = (data: UsageBucket[]): UsagePage => ({ object: 'page', data, has_more: false, next_page: null });
  const req = (groupBy: Array<'model' | 'batch'>) => ({
    def,
    width: '1h' as const,
    groupBy,
    params: { bucket_width: '1h', group_by: groupBy.length ? groupBy : undefined, limit: 168 },
  });

  it('refuses an answer that does not start where the kept buckets end', async () => {
    const recent = new RecentBuckets(fakeClient(jest.fn(async () => page([bucket(HOUR)]))));
    await expect(recent.fetch(req(['model']), 0, 2 * HOUR, 10 * HOUR)).rejects.toThrow(/do not join up/);
  });

  it('sums metrics over the dimensions a panel did not ask for, and keeps nulls apart', async () => {
    const r = (model: string | null, batch: boolean, input: number) => ({
      object: 'organization.usage.completions.result',
      model,
      batch,
      input_tokens: input,
      output_tokens: 1,
    });
    const getJson = jest.fn(async () => page([bucket(0, [r('a', true, 1), r('a', false, 2), r(null, false, 4)])]));
    const recent = new RecentBuckets(fakeClient(getJson));
    const [byModel, total] = await Promise.all([
      recent.fetch(req(['model']), 0, HOUR, HOUR),
      recent.fetch(req([]), 0, HOUR, HOUR),
      recent.fetch(req(['model', 'batch']), 0, HOUR, HOUR),
    ]);
    expect(getJson).toHaveBeenCalledTimes(1);
    expect(getJson.mock.calls[0]).toEqual(
      expect.arrayContaining([expect.objectContaining({ group_by: ['model', 'batch'] })])
    );
    expect(byModel[0].results).toEqual([
      { object: 'organization.usage.completions.result', model: 'a', input_tokens: 3, output_tokens: 2 },
      { object: 'organization.usage.completions.result', model: null, input_tokens: 4, output_tokens: 1 },
    ]);
    expect(total[0].results).toEqual([
      { object: 'organization.usage.completions.result', input_tokens: 7, output_tokens: 3 },
    ]);
  });

  it('sums amounts per currency, never across, and keeps a project sent as "" apart from none', async () => {
    const costs = ENDPOINTS.costs;
    const r = (project_id: string | null, line_item: string, value: number | string, currency: string) => ({
      object: 'organization.costs.result',
      project_id,
      line_item,
      amount: { value, currency },
    });
    const results = [
      r('p', 'a', 1.25, 'usd'),
      r('p', 'b', '0.5', 'USD'),
      r('p', 'a', 7, 'eur'),
      r('', 'a', 2, 'usd'),
      r(null, 'b', 4, 'usd'),
    ];
    const getJson = jest.fn(async () => page([{ object: 'bucket', start_time: 0, end_time: DAY, results }]));
    const recent = new RecentBuckets(fakeClient(getJson));
    const daily = (groupBy: Array<'project_id' | 'line_item'>) => ({
      def: costs,
      width: '1d' as const,
      groupBy,
      params: { bucket_width: '1d', group_by: groupBy.length ? groupBy : undefined, limit: 180 },
    });
    const [byProject, total] = await Promise.all([
      recent.fetch(daily(['project_id']), 0, DAY, DAY),
      recent.fetch(daily([]), 0, DAY, DAY),
      recent.fetch(daily(['project_id', 'line_item']), 0, DAY, DAY),
    ]);
    expect(getJson).toHaveBeenCalledTimes(1);
    const amount = (value: number, currency: string) => ({ value, currency });
    expect(byProject[0].results).toEqual([
      { object: 'organization.costs.result', project_id: 'p', amount: amount(1.75, 'USD') },
      { object: 'organization.costs.result', project_id: 'p', amount: amount(7, 'eur') },
      { object: 'organization.costs.result', project_id: '', amount: amount(2, 'usd') },
      { object: 'organization.costs.result', project_id: null, amount: amount(4, 'usd') },
    ]);
    expect(total[0].results).toEqual([
      { object: 'organization.costs.result', amount: amount(7.75, 'usd') },
      { object: 'organization.costs.result', amount: amount(7, 'eur') },
    ]);
  });
});
