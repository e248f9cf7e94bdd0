/**
 * Top N + Other through DataSource.query() against the simulator: the kept series are the largest by total, the
 * rest is summed into one "Other" series per metric, and every bucket of a metric still adds up to the
 * ungrouped query and to the simulator's ground truth.
 */
import { DataFrame, DataQueryResponse } from '@grafana/data';

import { Harness, queryContext, startHarness } from '../../tests/harness';
import { UsageBucket } from '../api/types';
import { OpenAIQuery, QueryType } from '../types';
import { compactBuckets, expandBuckets } from './compact';
import { fetchBuckets } from './engine';
import { buildFrames } from './frames';
import { timeSeriesPlan } from './timeSeries';
import { DEFAULT_TOP_N, MAX_TOP_N } from './topN';

const NOW = 1763900000; // 2025-11-23 12:13:20 UTC
const DAY = 86400;
const TODAY = Math.floor(NOW / DAY) * DAY;
const FROM = TODAY - 14 * DAY;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: NOW });
});
afterAll(() => h.close());

const ts = (extra: Partial<OpenAIQuery>): Partial<OpenAIQuery> => ({
  queryType: QueryType.TimeSeries,
  source: 'completions',
  metrics: ['input_tokens', 'output_tokens'],
  bucketWidth: '1d',
  groupBy: [],
  filters: {},
  ...extra,
});

function ok(res: DataQueryResponse): DataFrame[] {
  expect(res.errors ?? []).toEqual([]);
  return res.data as DataFrame[];
}

const ofMetric = (frames: DataFrame[], label: string) => frames.filter((f) => f.fields[1]?.name === label);
const values = (f: DataFrame) => f.fields[1].values as number[];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The series (by their grouping labels, without the metric) largest first by the metrics' totals added up. */
function ranked(frames: DataFrame[], metrics: string[]): string[] {
  const totals = new Map<string, number>();
  for (const f of frames.filter((f) => metrics.includes(f.fields[1].name))) {
    const key = userOf(f);
    totals.set(key, (totals.get(key) ?? 0) + sum(values(f)));
  }
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key]) => key);
}

/** The shown grouping value of a series: its user's or model's name. */
const userOf = (f: DataFrame) => f.fields[1].labels?.user ?? f.fields[1].labels?.model ?? '';

/** Bucket by bucket, the sum over the frames. */
function perBucket(frames: DataFrame[]): number[] {
  return values(frames[0]).map((_, i) => sum(frames.map((f) => values(f)[i])));
}

describe('Top N + Other', () => {
  it('keeps the largest series by every metric added up and sums the rest exactly into one Other series', async () => {
    const [all, top, ungrouped] = await Promise.all([
      h.query([ts({ groupBy: ['user_id'], topN: 0 })], FROM, TODAY).then(ok),
      h.query([ts({ groupBy: ['user_id'], topN: 3 })], FROM, TODAY).then(ok),
      h.query([ts({ groupBy: [] })], FROM, TODAY).then(ok),
    ]);
    const metrics = ['Input tokens', 'Output tokens'];
    const users = ofMetric(all, metrics[0]).length;
    expect(users).toBeGreaterThan(4);
    // The largest by input plus output tokens over the range, largest first, ties by name.
    const expected = ranked(all, metrics).slice(0, 3);

    for (const metric of metrics) {
      const kept = ofMetric(top, metric);
      expect(kept).toHaveLength(4);
      expect(kept.slice(0, 3).map((f) => userOf(f))).toEqual(expected);

      const other = kept[3];
      expect(other.fields[1].labels).toMatchObject({
        user: `Other (${users - 3} users)`,
        user_id: `Other (${users - 3} users)`,
      });
      expect(other.name).toBe(`${metric} · Other (${users - 3} users)`);
      // Exact: every bucket of the kept series and Other adds up to the ungrouped query.
      const whole = ofMetric(ungrouped, metric)[0];
      expect(perBucket(kept)).toEqual(values(whole));
    }
    const field = 'input_tokens';
    expect(sum(perBucket(ofMetric(top, metrics[0])))).toBe(h.sim.org.sumUsage('completions', field, FROM, TODAY));
  });

  it('is exact over kept windows and results read as objects, in whatever order they come', async () => {
    // Hourly by API key, its project sent beside and summed over: kept windows are read from their columns.
    const q = ts({ bucketWidth: '1h', groupBy: ['api_key_id'], topN: 2 }) as OpenAIQuery;
    const plan = timeSeriesPlan(q, FROM * 1000, TODAY * 1000, NOW * 1000);
    expect(plan.hidden).toEqual(['project_id']);
    const { client } = queryContext(h);
    const plain = await fetchBuckets({ client: { getJson: client.getJson.bind(client) }, now: () => NOW * 1000 }, plan);
    const input = (buckets: UsageBucket[]) => ({ ...plan, buckets, names: {}, topN: q.topN, refId: 'A' });
    const shape = (frames: DataFrame[]) => frames.map((f) => [f.name, f.fields[1].labels, values(f)]);
    const expected = shape(buildFrames(input(plain)));
    expect(expected.length).toBe(2 * 3);
    // Results as objects first, then two kept windows; and kept windows around results as objects.
    const kept = (from: number, to: number) => expandBuckets(compactBuckets(plain.slice(from, to)));
    const orders = [
      [...plain.slice(0, 40), ...kept(40, 200), ...kept(200, plain.length)],
      [...kept(0, 100), ...plain.slice(100, 150), ...kept(150, plain.length)],
    ];
    for (const buckets of orders) {
      expect(buckets.map((b) => b.start_time)).toEqual(plain.map((b) => b.start_time));
      expect(shape(buildFrames(input(buckets)))).toEqual(expected);
      // Read again, as a refresh reads the same kept windows.
      expect(shape(buildFrames(input(buckets)))).toEqual(expected);
    }
    const input0 = buildFrames(input(orders[1])).filter((f) => f.fields[1].name === 'Input tokens');
    expect(sum(perBucket(input0))).toBe(h.sim.org.sumUsage('completions', 'input_tokens', FROM, TODAY));
  });

  it('shows the same series for every metric, though each metric alone would rank them otherwise', async () => {
    const metrics = ['Input tokens', 'Output tokens'];
    const [top, every] = await Promise.all([
      h.query([ts({ groupBy: ['model'], topN: 2 })], FROM, TODAY).then(ok),
      h.query([ts({ groupBy: ['model'], topN: 0 })], FROM, TODAY).then(ok),
    ]);
    // Ranked by one metric alone, the two largest differ from the largest by both: the case a shared ranking is for.
    const byOwn = metrics.map((metric) => ranked(every, [metric]).slice(0, 2));
    const byBoth = ranked(every, metrics).slice(0, 2);
    expect(byOwn.some((own) => JSON.stringify(own) !== JSON.stringify(byBoth))).toBe(true);

    for (const metric of metrics) {
      const frames = ofMetric(top, metric);
      expect(frames).toHaveLength(3);
      expect(frames.slice(0, 2).map((f) => f.fields[1].labels?.model)).toEqual(byBoth);
      expect(perBucket(frames)).toEqual(perBucket(ofMetric(every, metric)));
    }
    const shown = new Set(top.map((f) => JSON.stringify(f.fields[1].labels)));
    expect(shown.size).toBe(3);
  });

  it('fills the legend of Other from its labels, and adds up costs by model', async () => {
    const costs: Partial<OpenAIQuery> = {
      queryType: QueryType.TimeSeries,
      source: 'costs',
      metrics: [],
      bucketWidth: '1d',
      filters: {},
    };
    const [top, ungrouped] = await Promise.all([
      h.query([{ ...costs, groupBy: [], costByModel: true, topN: 2, legendFormat: '{{model}}' }], FROM, TODAY).then(ok),
      h.query([{ ...costs, groupBy: [] }], FROM, TODAY).then(ok),
    ]);
    expect(top).toHaveLength(3);
    expect(top[2].name).toMatch(/^Other \(\d+ models\)$/);
    expect(top[2].fields[1].labels?.model).toBe(top[2].name);
    const whole = values(ungrouped[0]);
    perBucket(top).forEach((v, i) => expect(v).toBeCloseTo(whole[i], 6));
    expect(sum(whole)).toBeCloseTo(h.sim.org.sumCost(FROM, TODAY), 6);
  });

  it('keeps the top 20 by default when a grouping by user has more series, and says so', async () => {
    const query = ts({ groupBy: ['user_id', 'model'], metrics: ['input_tokens'] });
    const [byDefault, every] = await Promise.all([
      h.query([query], FROM, TODAY).then(ok),
      h.query([{ ...query, topN: 0 }], FROM, TODAY).then(ok),
    ]);
    expect(every.length).toBeGreaterThan(DEFAULT_TOP_N + 1);
    expect(every[0].meta?.notices ?? []).toEqual([]);
    expect(byDefault).toHaveLength(DEFAULT_TOP_N + 1);
    const rest = every.length - DEFAULT_TOP_N;
    expect(byDefault[DEFAULT_TOP_N].name).toBe(`Other (${rest} series)`);
    expect(byDefault[0].meta?.notices).toContainEqual({
      severity: 'info',
      text: expect.stringContaining(`Showing the ${DEFAULT_TOP_N} largest of ${every.length} series`),
    });
    expect(perBucket(byDefault)).toEqual(perBucket(every));
  });

  it('keeps every series when there are no more than N, and of groupings that are not per user or key', async () => {
    const byModel = ok(await h.query([ts({ groupBy: ['model'], metrics: ['input_tokens'] })], FROM, TODAY));
    expect(byModel.some((f) => f.name?.startsWith('Other'))).toBe(false);
    const few = ok(await h.query([ts({ groupBy: ['model'], metrics: ['input_tokens'], topN: 50 })], FROM, TODAY));
    expect(few.map((f) => f.name)).toEqual(byModel.map((f) => f.name));
  });

  it.each([[-1], [2.5], ['ten'], [MAX_TOP_N + 1]])(
    'refuses Top %p with a message, other queries still run',
    async (topN) => {
      const res = await h.query([ts({ groupBy: ['user_id'], topN: topN as number }), ts({ groupBy: [] })], FROM, TODAY);
      expect(res.errors).toEqual([
        {
          refId: 'A',
          message: `Top must be a whole number of series from 0 (every series) to ${MAX_TOP_N}, not ${JSON.stringify(topN)}.`,
          status: undefined,
        },
      ]);
      expect((res.data as DataFrame[]).map((f) => f.refId)).toEqual(['B', 'B']);
    }
  );
});
