/**
 * Settled windows kept compactly: what is kept reads back as the API's results, its size estimate matches what it
 * takes on the heap, and a large organization's 90 days of hourly usage by API key fit the cache, so a refresh sends
 * only the request for the recent buckets.
 */
import { DataFrame } from '@grafana/data';
import { BackendSrv } from '@grafana/runtime';
import { of } from 'rxjs';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

import { Harness, startHarness } from '../../tests/harness';
import { DEFAULT_CACHE_BYTES } from '../api/cache';
import { ENDPOINTS, GroupByKey } from '../api/catalog';
import { AdminApiClient } from '../api/client';
import { UsageBucket, UsageResult } from '../api/types';
import { OpenAIQuery, QueryType } from '../types';
import { fetchRange } from './buckets';
import { RELEASE_RESULTS, compactBuckets, compactRows, expandBuckets } from './compact';
import { FetchPlan, fetchBuckets, planQuery } from './engine';
import { buildFrames } from './frames';
import { RecentBuckets } from './recent';
import { costUnit } from './values';

const HOUR = 3600;
const DAY = 86400;
const NOW = Date.UTC(2025, 5, 18, 14, 37, 23) / 1000;
const KEYS = 3000;
const def = ENDPOINTS.completions;

/** A small deterministic generator, so every run sees the same organization. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Completions grouped by API key, as the API answers: every dimension and metric field of the catalog, the
 * dimensions not grouped by null. Activity is skewed: each hour, 250 draws of a key with odds falling as 1 / rank.
 */
function usageByKey(start: number, end: number): UsageBucket[] {
  const buckets: UsageBucket[] = [];
  for (let t = Math.floor(start / HOUR) * HOUR; t < end; t += HOUR) {
    const next = random(t);
    const active = new Set<number>();
    for (let i = 0; i < 250; i++) {
      active.add(Math.floor(KEYS ** next()) - 1);
    }
    const results = [...active]
      .sort((a, b) => a - b)
      .map((k) => {
        const r: Record<string, unknown> = { object: 'organization.usage.completions.result' };
        for (const d of def.groupBy) {
          r[d] = d === 'api_key_id' ? `key_${k.toString(36).padStart(12, '0')}` : null;
        }
        def.metrics.forEach((m, j) => (r[m.field] = ((k + 1) * (j + 3) * 7919 + t / HOUR) % 5_000_000));
        return r as UsageResult;
      });
    buckets.push({ object: 'bucket', start_time: Math.max(t, start), end_time: Math.min(t + HOUR, end), results });
  }
  return buckets;
}

/** Settled windows are compacted for the cache a macrotask after their first readers had them. */
const compacted = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Grafana's backend answering usage requests from the generator (each result passed to `alter`), and counting them. */
function fakeApi(alter?: (r: Record<string, unknown>) => void) {
  const requests: URLSearchParams[] = [];
  const backendSrv = {
    fetch: ({ url }: { url: string }) => {
      const q = new URLSearchParams(url.split('?')[1]);
      requests.push(q);
      const data = usageByKey(Number(q.get('start_time')), Number(q.get('end_time')));
      data.forEach((b) => b.results.forEach((r) => alter?.(r)));
      return of({ data: { object: 'page', data, has_more: false, next_page: null }, status: 200 });
    },
  } as unknown as BackendSrv;
  return { requests, client: new AdminApiClient('/proxy', { backendSrv: () => backendSrv }) };
}

describe('compact buckets', () => {
  it('read back as the results they were made from, whatever the fields hold', () => {
    const buckets: UsageBucket[] = [
      {
        object: 'bucket',
        start_time: 0,
        end_time: DAY,
        results: [
          {
            object: 'organization.costs.result',
            amount: { value: 1.25, currency: 'usd' },
            line_item: 'a',
            project_id: 'p',
          },
          { object: 'organization.costs.result', amount: { value: '0.5', currency: 'usd' }, line_item: null },
        ],
      },
      { object: 'bucket', start_time: DAY, end_time: 2 * DAY, results: [] },
      {
        object: 'bucket',
        start_time: 2 * DAY,
        end_time: 3 * DAY,
        results: [
          { object: 'organization.costs.result', amount: { value: 7, currency: 'eur' }, line_item: 'b', batch: true },
          { object: 'organization.costs.result', amount: { value: 2 }, line_item: 'b', quantity: 2.5, extra: { x: 1 } },
        ],
      },
    ];
    expect(expandBuckets(compactBuckets(buckets))).toEqual([
      {
        ...buckets[0],
        results: [
          {
            object: 'organization.costs.result',
            amount: { value: 1.25, currency: 'usd' },
            line_item: 'a',
            project_id: 'p',
          },
          // A decimal string is kept as the number every reader takes it for.
          { object: 'organization.costs.result', amount: { value: 0.5, currency: 'usd' }, line_item: null },
          // A number some results lack reads as null in those, as the API may send it.
        ].map((r) => ({ ...r, quantity: null })),
      },
      buckets[1],
      {
        ...buckets[2],
        results: [
          { object: 'organization.costs.result', amount: { value: 7, currency: 'eur' }, line_item: 'b', batch: true },
          {
            object: 'organization.costs.result',
            amount: { value: 2 },
            line_item: 'b',
            quantity: 2.5,
            extra: { x: 1 },
          },
        ].map((r) => ({ ...r, quantity: r.quantity ?? null })),
      },
    ]);
  });

  it('keeps an amount it cannot read as it came, so the reader still refuses it', () => {
    const bad = [
      { object: 'bucket' as const, start_time: 0, end_time: DAY, results: [{ object: 'x', amount: { value: '' } }] },
    ];
    expect(expandBuckets(compactBuckets(bad))).toEqual(bad);
  });

  it('reads the same from buckets kept as columns joined with newer parsed ones', () => {
    const older = usageByKey(NOW - 6 * HOUR, NOW - 3 * HOUR);
    const newer = usageByKey(NOW - 3 * HOUR, NOW);
    // Newer results lack a field the older ones have, and hold text where the older hold counts.
    newer.forEach((b) => b.results.forEach((r) => ((r.output_tokens = String(r.output_tokens)), delete r.batch)));
    const joined = [...expandBuckets(compactBuckets(older)), ...newer];
    expect(joined.slice(0, older.length).every((b) => compactRows(b) !== undefined)).toBe(true);
    const raw = JSON.stringify([...older, ...newer]);
    expect(JSON.stringify(expandBuckets(compactBuckets(joined)))).toBe(raw);
    expect(JSON.stringify(expandBuckets(compactBuckets([...older, ...newer])))).toBe(raw);
  });

  it('estimates the heap it takes within a quarter', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const windows = [0, 1, 2, 3].map((i) => usageByKey(NOW - (i + 1) * 168 * HOUR, NOW - i * 168 * HOUR));
    // Full collections until the heap stops shrinking, so earlier garbage is not counted either way.
    const heap = async () => {
      let used = Infinity;
      for (let i = 0; i < 10; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 0));
        const m = process.memoryUsage();
        if (m.heapUsed + m.arrayBuffers >= used) {
          break;
        }
        used = m.heapUsed + m.arrayBuffers;
      }
      return used;
    };
    const before = await heap();
    const kept = windows.map(compactBuckets);
    const actual = (await heap()) - before;
    const estimate = kept.reduce((a, c) => a + c.bytes, 0);
    expect(windows.flat().reduce((a, b) => a + b.results.length, 0)).toBeGreaterThan(100_000);
    expect(estimate / actual).toBeGreaterThan(0.75);
    expect(estimate / actual).toBeLessThan(1.25);
  });
});

describe('90 days of hourly usage by 3,000 API keys', () => {
  it('fits the cache, so a refresh sends only the recent request', async () => {
    const { requests, client } = fakeApi();
    // From the start of a day, as the bundled dashboards round their ranges.
    const from = (Math.floor(NOW / DAY) * DAY - 90 * DAY) * 1000;
    let now = NOW * 1000;
    const ctx = { client, now: () => now, recent: new RecentBuckets(client) };
    const query = {
      refId: 'A',
      queryType: QueryType.TimeSeries,
      source: 'completions',
      bucketWidth: '1h',
      groupBy: ['api_key_id'],
    } as OpenAIQuery;
    const cold = await fetchBuckets(ctx, planQuery(query, from, now, now));
    const windows = requests.length;
    expect(windows).toBe(13);
    expect(cold.reduce((a, b) => a + b.results.length, 0)).toBeGreaterThan(300_000);
    await compacted();
    expect(client.cache.size.entries).toBe(windows);
    expect(client.cache.size.bytes).toBeLessThanOrEqual(DEFAULT_CACHE_BYTES);

    now += 60_000;
    const refreshed = await fetchBuckets(ctx, planQuery(query, from, now, now));
    expect(requests.length - windows).toBe(1);
    const recent = requests[requests.length - 1];
    expect(Number(recent.get('end_time')) - Number(recent.get('start_time'))).toBeLessThanOrEqual(2 * HOUR);
    // The same buckets but the last, which now ends a minute later.
    const tokens = (buckets: UsageBucket[]) =>
      buckets
        .slice(0, -1)
        .map((b) => [b.start_time, b.results.length, b.results.reduce((a, r) => a + Number(r.input_tokens), 0)]);
    expect(tokens(refreshed)).toEqual(tokens(cold));
  }, 300_000);
});

describe('a large settled window fetched cold', () => {
  const end = Math.floor(NOW / DAY) * DAY - DAY;
  const start = end - 7 * DAY;
  const query: OpenAIQuery = {
    refId: 'A',
    queryType: QueryType.TimeSeries,
    source: 'completions',
    bucketWidth: '1h',
    metrics: ['input_tokens', 'output_tokens'],
    groupBy: ['api_key_id'],
  };
  const plan = planQuery(query, start * 1000, end * 1000, NOW * 1000);
  const series = (buckets: UsageBucket[]) =>
    buildFrames({ ...plan, buckets, names: {}, refId: 'A' }).map((f) => [f.name, f.fields[1].values]);

  it('is read from its columns by readers still holding it once compacted, exactly as parsed', async () => {
    const { requests, client } = fakeApi();
    const buckets = await fetchRange(client, plan, start, end, true);
    expect(buckets.reduce((a, b) => a + b.results.length, 0)).toBeGreaterThanOrEqual(RELEASE_RESULTS);
    expect(buckets.some((b) => compactRows(b) !== undefined)).toBe(false);
    const parsed = JSON.stringify(buckets);
    const fromObjects = series(buckets);

    await compacted();
    expect(buckets.every((b) => compactRows(b) !== undefined)).toBe(true);
    expect(series(buckets)).toEqual(fromObjects);
    expect(JSON.stringify(buckets)).toBe(parsed);
    const again = await fetchRange(client, plan, start, end, true);
    expect(requests).toHaveLength(1);
    expect(JSON.stringify(again)).toBe(parsed);
    expect(client.cache.size.entries).toBe(1);
  });

  it('keeps its answer when it cannot be compacted, and is fetched again by the next reader', async () => {
    // A value compaction cannot size (a BigInt stands for anything it cannot keep).
    const { requests, client } = fakeApi((r) => (r.extra = BigInt(1)));
    const buckets = await fetchRange(client, plan, start, end, true);
    const fromObjects = series(buckets);

    await compacted();
    expect(client.cache.size).toEqual({ entries: 0, bytes: 0 });
    expect(buckets.every((b) => compactRows(b) === undefined && b.results.length > 0)).toBe(true);
    expect(series(buckets)).toEqual(fromObjects);
    const again = await fetchRange(client, plan, start, end, true);
    expect(requests).toHaveLength(2);
    expect(series(again)).toEqual(fromObjects);
  });
});

describe('frames of kept windows', () => {
  const SIM_NOW = 1763900000; // 2025-11-23 12:13:20 UTC
  const from = (Math.floor(SIM_NOW / DAY) - 14) * DAY;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: SIM_NOW });
  });
  afterAll(() => h.close());

  const query = (groupBy: GroupByKey[], topN?: number): OpenAIQuery => ({
    refId: 'A',
    queryType: QueryType.TimeSeries,
    source: 'completions',
    bucketWidth: '1h',
    metrics: ['input_tokens', 'output_tokens', 'num_model_requests'],
    groupBy,
    topN,
  });
  const frameInput = (plan: FetchPlan, buckets: UsageBucket[], q: OpenAIQuery) => ({
    ...plan,
    buckets,
    names: {},
    topN: q.topN,
    refId: 'A',
  });
  const shape = (frames: DataFrame[]) => frames.map((f) => [f.name, f.fields[1].labels, f.fields[1].values]);
  const inColumns = (buckets: UsageBucket[]) => buckets.filter((b) => compactRows(b) !== undefined).length;
  /** The plan's buckets from a client without a cache, and from the data source's cache, as its kept columns. */
  const fetchPlainAndKept = async (plan: FetchPlan) => {
    const client = h.ds.client;
    const ctx = { client, now: () => SIM_NOW * 1000 };
    const plain = await fetchBuckets({ client: { getJson: client.getJson.bind(client) }, now: ctx.now }, plan);
    await fetchBuckets(ctx, plan);
    await compacted();
    // Once compacted, the settled windows come from the cache as their columns.
    const kept = await fetchBuckets(ctx, plan);
    const columns = inColumns(kept);
    expect(columns).toBeGreaterThan(kept.length / 2);
    return { plain, kept, columns };
  };

  it.each([
    ['user_id', [{ groupBy: ['user_id'] }]],
    ['API key with its project summed over, Top 3', [{ groupBy: ['api_key_id'], topN: 3, keyProjects: true }]],
  ] as Array<[string, Array<{ groupBy: GroupByKey[]; topN?: number; keyProjects?: boolean }>]>)(
    'by %s: read from the columns, exactly as from the results, without an object per result',
    async (_, [{ groupBy, topN, keyProjects }]) => {
      const q = query(groupBy, topN);
      const plan = planQuery(q, from * 1000, SIM_NOW * 1000, SIM_NOW * 1000, undefined, { keyProjects });
      const { plain, kept, columns } = await fetchPlainAndKept(plan);

      const frames = buildFrames(frameInput(plan, kept, q));
      expect(shape(frames)).toEqual(shape(buildFrames(frameInput(plan, plain, q))));
      expect(inColumns(kept)).toBe(columns);
      // And as the simulator counts it.
      const inputs = frames.filter((f) => f.fields[1].name === 'Input tokens');
      const total = inputs.reduce((a, f) => a + (f.fields[1].values as number[]).reduce((x, y) => x + y, 0), 0);
      expect(total).toBe(h.sim.org.sumUsage('completions', 'input_tokens', from, SIM_NOW));
    }
  );

  it('reads kept cost windows and their currency from the columns, exactly as from the results', async () => {
    const q: OpenAIQuery = {
      refId: 'A',
      queryType: QueryType.TimeSeries,
      source: 'costs',
      bucketWidth: '1d',
      groupBy: ['project_id'],
    };
    // Costs settle over days: a month that ended two weeks ago is kept.
    const plan = planQuery(q, (from - 30 * DAY) * 1000, from * 1000, SIM_NOW * 1000);
    const { plain, kept, columns } = await fetchPlainAndKept(plan);

    expect(costUnit(kept)).toBe('currencyUSD');
    const frames = buildFrames(frameInput(plan, kept, q));
    expect(shape(frames)).toEqual(shape(buildFrames(frameInput(plan, plain, q))));
    expect(frames.every((f) => f.fields[1].config.unit === 'currencyUSD')).toBe(true);
    // Neither the unit nor the series built an object per result.
    expect(inColumns(kept)).toBe(columns);
  });

  it('reads part of a kept window, and a window read again, as the results say', async () => {
    const q = query(['user_id'], 3);
    const plan = planQuery(q, from * 1000, SIM_NOW * 1000, SIM_NOW * 1000);
    const client = h.ds.client;
    const plain = await fetchBuckets(
      { client: { getJson: client.getJson.bind(client) }, now: () => SIM_NOW * 1000 },
      plan
    );
    const kept = compactBuckets(plain);
    const whole = shape(buildFrames(frameInput(plan, expandBuckets(kept), q)));
    expect(whole).toEqual(shape(buildFrames(frameInput(plan, plain, q))));
    // A later start cut from the same window (as panels share a request), then the whole window again.
    const part = { ...plan, start: plain[30].start_time };
    expect(shape(buildFrames(frameInput(part, expandBuckets(kept).slice(30), q)))).toEqual(
      shape(buildFrames(frameInput(part, plain.slice(30), q)))
    );
    expect(shape(buildFrames(frameInput(plan, expandBuckets(kept), q)))).toEqual(whole);
  });

  it('takes a group sent as null in one bucket and as "" in another for one group, but not twice in one bucket', () => {
    const r = (key: string | null, input: number): UsageResult =>
      ({ object: 'organization.usage.completions.result', api_key_id: key, input_tokens: input }) as UsageResult;
    const hour = (i: number, results: UsageResult[]): UsageBucket => ({
      object: 'bucket',
      start_time: i * HOUR,
      end_time: (i + 1) * HOUR,
      results,
    });
    const q = { ...query(['api_key_id']), metrics: ['input_tokens'] };
    const plan = planQuery(q, 0, 2 * HOUR * 1000, 10 * DAY * 1000);
    const buckets = [hour(0, [r(null, 1), r('a', 2)]), hour(1, [r('', 4), r('a', 8)])];
    const frames = buildFrames(frameInput(plan, expandBuckets(compactBuckets(buckets)), q));
    expect(shape(frames)).toEqual(shape(buildFrames(frameInput(plan, buckets, q))));
    expect(frames.map((f) => [f.name, f.fields[1].values])).toEqual([
      ['a', [2, 8]],
      ['(no API key)', [1, 4]],
    ]);
    const twice = [hour(0, [r(null, 1), r('', 2)])];
    expect(() => buildFrames(frameInput(plan, expandBuckets(compactBuckets(twice)), q))).toThrow(
      /same group twice in one bucket/
    );
  });

  it('reads counts sent as text or left out as the results are read, and refuses what is not a count', () => {
    const r = (key: string, input: unknown, output?: unknown): UsageResult =>
      ({
        object: 'organization.usage.completions.result',
        api_key_id: key,
        input_tokens: input,
        output_tokens: output,
      }) as UsageResult;
    const hour = (i: number, results: UsageResult[]): UsageBucket => ({
      object: 'bucket',
      start_time: i * HOUR,
      end_time: (i + 1) * HOUR,
      results,
    });
    const q = { ...query(['api_key_id']), metrics: ['input_tokens', 'output_tokens'] };
    const plan = planQuery(q, 0, 3 * HOUR * 1000, 10 * DAY * 1000);
    // Input tokens all text, output tokens numbers that some results lack or send as null.
    const buckets = [
      hour(0, [r('a', '12', 3), r('b', '5')]),
      hour(1, []),
      hour(2, [r('a', '7', null), r('b', '1', 2)]),
    ];
    const kept = expandBuckets(compactBuckets(buckets));
    const frames = buildFrames(frameInput(plan, kept, q));
    expect(kept.every((b) => compactRows(b) !== undefined)).toBe(true);
    expect(shape(frames)).toEqual(shape(buildFrames(frameInput(plan, buckets, q))));
    expect(frames.map((f) => f.fields[1].values)).toEqual([
      [12, 0, 7],
      [3, 0, 0],
      [5, 0, 1],
      [0, 0, 2],
    ]);

    const bad = [hour(0, [r('a', 'n/a')])];
    expect(() => buildFrames(frameInput(plan, expandBuckets(compactBuckets(bad)), q))).toThrow(
      /input_tokens is not a number/
    );
    const twice = [hour(0, [r('a', 1), r('a', 2)])];
    expect(() => buildFrames(frameInput(plan, expandBuckets(compactBuckets(twice)), q))).toThrow(
      /same group twice in one bucket/
    );
  });

  it('builds the result objects when they are first read, and takes results given in their place', () => {
    const buckets = usageByKey(NOW - 3 * HOUR, NOW);
    const kept = expandBuckets(compactBuckets(buckets));
    expect(kept.every((b) => compactRows(b) !== undefined)).toBe(true);
    expect(JSON.stringify(kept)).toBe(JSON.stringify(buckets));
    expect(kept.every((b) => compactRows(b) === undefined)).toBe(true);

    const other = expandBuckets(compactBuckets(buckets));
    other[0].results = [];
    expect(compactRows(other[0])).toBeUndefined();
    expect(other[0].results).toEqual([]);
    expect({ ...other[1] }).toEqual(buckets[1]);
  });
});
