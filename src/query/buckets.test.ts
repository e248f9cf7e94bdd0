/**
 * Settled windows against the simulator: the answer reaches the caller as it came, a second ask before or after it
 * is compacted for the cache sends nothing, and the kept buckets read back exactly as the API sent them.
 */
import { Harness, startHarness } from '../../tests/harness';
import { OpenAIQuery, QueryType } from '../types';
import { fetchRange } from './buckets';
import { planQuery } from './engine';

const NOW = Date.UTC(2025, 5, 18, 14, 37, 23) / 1000;
const DAY = 86400;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: NOW });
});
afterAll(() => h.close());

const afterTasks = () => new Promise((resolve) => setTimeout(resolve, 0));

test('a settled window is fetched once, kept compactly after the callers have it, and reads back exactly', async () => {
  const ds = h.dataSource();
  const query = {
    refId: 'A',
    queryType: QueryType.TimeSeries,
    source: 'costs',
    bucketWidth: '1d',
    groupBy: ['project_id', 'line_item'],
    metrics: [],
  } as unknown as OpenAIQuery;
  const start = (Math.floor(NOW / DAY) - 40) * DAY;
  const end = start + 30 * DAY;
  const plan = planQuery(query, start * 1000, end * 1000, NOW * 1000);
  h.sim.resetStats();

  const first = await fetchRange(ds.client, plan, start, end, true);
  // Asked again before the answer is compacted: nothing sent, and not yet in the memory-bounded cache.
  const again = await fetchRange(ds.client, plan, start, end, true);
  expect(ds.client.cache.size.entries).toBe(0);
  await afterTasks();
  expect(ds.client.cache.size.entries).toBe(1);
  const kept = await fetchRange(ds.client, plan, start, end, true);

  expect(h.sim.stats().log.filter((e) => e.path === '/v1/organization/costs')).toHaveLength(1);
  expect(first.length).toBe(30);
  expect(first.some((b) => b.results.length > 1)).toBe(true);
  expect(again).toEqual(first);
  // The compact form keeps every field of every result (amounts as numbers, as every reader reads them).
  expect(kept.map((b) => b.results.length)).toEqual(first.map((b) => b.results.length));
  kept.forEach((b, i) => {
    expect([b.start_time, b.end_time]).toEqual([first[i].start_time, first[i].end_time]);
    b.results.forEach((r, j) => {
      const sent = first[i].results[j];
      expect(r.project_id).toBe(sent.project_id);
      expect(r.line_item).toBe(sent.line_item);
      expect(Number(r.amount?.value)).toBeCloseTo(Number(sent.amount?.value), 9);
      expect(r.amount?.currency).toBe(sent.amount?.currency);
    });
  });
});
