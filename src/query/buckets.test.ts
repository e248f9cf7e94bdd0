/**
 * Settled windows from the API, against the simulator: a window starting off a bucket boundary keeps its later
 * buckets apart from its first, so the same window started a minute later fetches only its new first bucket.
 */
import { Harness, startHarness } from '../../tests/harness';
import { OpenAIQuery, QueryType } from '../types';
import { fetchRange } from './buckets';
import { compactBuckets, compactRows } from './compact';
import { planQuery } from './engine';

const NOW = Date.UTC(2025, 5, 18, 14, 37, 23) / 1000;
const HOUR = 3600;
const DAY = 86400;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: NOW });
});
afterAll(() => h.close());

const query = {
  refId: 'A',
  queryType: QueryType.TimeSeries,
  source: 'completions',
  bucketWidth: '1h',
  groupBy: ['model'],
} as OpenAIQuery;

/** The usage requests the simulator answered since the last look, as [start_time, end_time]. */
function sent(): number[][] {
  const log = h.sim.stats().log.filter((e) => e.path.startsWith('/v1/organization/usage/'));
  h.sim.resetStats();
  return log.map((e) => {
    const q = new URLSearchParams(e.query);
    return [Number(q.get('start_time')), Number(q.get('end_time'))];
  });
}

describe('a settled window starting off a bucket boundary', () => {
  it('is fetched once whole, then only its first bucket when its start moves within that bucket', async () => {
    const end = Math.floor(NOW / DAY) * DAY - DAY;
    const start = end - 3 * DAY + 1234;
    const boundary = Math.ceil(start / HOUR) * HOUR;
    const plan = planQuery(query, start * 1000, end * 1000, NOW * 1000);
    const client = h.ds.client;
    const plain = { getJson: client.getJson.bind(client) };
    h.sim.resetStats();

    const cold = await fetchRange(client, plan, start, end, true);
    expect(sent()).toEqual([[start, end]]);
    expect(cold).toEqual(await fetchRange(plain, plan, start, end, true));
    sent();

    expect(await fetchRange(client, plan, start, end, true)).toEqual(cold);
    expect(sent()).toEqual([]);

    const later = start + 60;
    const moved = await fetchRange(client, plan, later, end, true);
    expect(sent()).toEqual([[later, boundary]]);
    expect(moved).toEqual(await fetchRange(plain, plan, later, end, true));
    expect(moved.slice(1)).toEqual(cold.slice(1));
    expect(moved[0].start_time).toBe(later);
  });
});

/** Settled windows are compacted for the cache a macrotask after their first readers had them. */
const compacted = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('a settled window fetched cold', () => {
  const end = Math.floor(NOW / DAY) * DAY - DAY;
  const start = end - 3 * DAY;
  const plan = planQuery({ ...query, groupBy: ['model', 'project_id'] }, start * 1000, end * 1000, NOW * 1000);

  it('reaches its readers as parsed, and every later reader gets the same buckets, from columns once compacted', async () => {
    const client = h.ds.client;
    client.cache.clear();
    h.sim.resetStats();
    // Two panels at once: one request.
    const [cold, other] = await Promise.all([
      fetchRange(client, plan, start, end, true),
      fetchRange(client, plan, start, end, true),
    ]);
    expect(sent()).toEqual([[start, end]]);
    expect(other).toEqual(cold);
    expect(cold.every((b) => compactRows(b) === undefined)).toBe(true);
    const answer = JSON.parse(JSON.stringify(cold));

    // Before the compaction, a reader gets the parsed buckets without a request.
    const early = await fetchRange(client, plan, start, end, true);
    expect(early.map((b) => b.results)).toEqual(cold.map((b) => b.results));
    expect(client.cache.size).toEqual({ entries: 0, bytes: 0 });

    await compacted();
    const later = await fetchRange(client, plan, start, end, true);
    expect(sent()).toEqual([]);
    expect(later.every((b) => compactRows(b) !== undefined)).toBe(true);
    expect(client.cache.size).toEqual({ entries: 1, bytes: compactBuckets(cold).bytes });
    expect(later).toEqual(answer);
    // A small window's first readers still hold their parsed results.
    expect(cold).toEqual(answer);
    expect(cold.every((b) => compactRows(b) === undefined)).toBe(true);
  });
});
