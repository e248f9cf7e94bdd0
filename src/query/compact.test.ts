/**
 * Settled windows kept compactly: what is kept reads back as the API's results, its size estimate matches what it
 * takes on the heap, and a large organization's 90 days of hourly usage by API key fit the cache, so a refresh sends
 * only the request for the recent buckets.
 */
import { BackendSrv } from '@grafana/runtime';
import { of } from 'rxjs';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

import { DEFAULT_CACHE_BYTES } from '../api/cache';
import { ENDPOINTS } from '../api/catalog';
import { AdminApiClient } from '../api/client';
import { UsageBucket, UsageResult } from '../api/types';
import { OpenAIQuery, QueryType } from '../types';
import { compactBuckets, expandBuckets } from './compact';
import { fetchBuckets, planQuery } from './engine';
import { RecentBuckets } from './recent';

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

/** Grafana's backend answering usage requests from the generator, and counting them. */
function fakeApi() {
  const requests: URLSearchParams[] = [];
  const backendSrv = {
    fetch: ({ url }: { url: string }) => {
      const q = new URLSearchParams(url.split('?')[1]);
      requests.push(q);
      const data = usageByKey(Number(q.get('start_time')), Number(q.get('end_time')));
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
