/**
 * Recent buckets. A dashboard's ranges end at "now", so every refresh asks again for windows whose last buckets
 * are provisional. After the first answer, such a window's settled buckets are kept (in the client's
 * memory-bounded cache) and later queries fetch only the buckets after them. Every window, settled or not, goes
 * through the panels' shared fetches (coalesce.ts), so panels that differ only in grouping send one request.
 */
import { Settled } from '../api/cache';
import { AdminApiClient } from '../api/client';
import { UsageBucket } from '../api/types';
import { joinBuckets } from './buckets';
import { COALESCE_MS, CoalescedFetches, GroupedRequest, WideTest } from './coalesce';
import { KeptBuckets, keptBuckets, settleBuckets } from './compact';

/** The settled buckets at the start of a window, and where they end. */
interface Kept {
  buckets: KeptBuckets;
  end: number;
}

const compactKept = ({ buckets, end }: { buckets: UsageBucket[]; end: number }): Settled<Kept> => {
  const compact = settleBuckets(buckets);
  return { value: { buckets: compact, end }, bytes: compact.bytes };
};

export class RecentBuckets {
  private readonly shared: CoalescedFetches;

  constructor(
    private readonly client: Pick<AdminApiClient, 'getJson' | 'cache'>,
    delayMs = COALESCE_MS,
    isWide?: WideTest
  ) {
    this.shared = new CoalescedFetches(client, delayMs, isWide);
  }

  /** The buckets of [start, end), a window that OpenAI no longer revises; the client keeps the answer. */
  settled(req: GroupedRequest, start: number, end: number): Promise<UsageBucket[]> {
    return this.shared.fetch(req, start, end, true);
  }

  /** The buckets of [start, end), a window that reaches into the provisional period. */
  async fetch(req: GroupedRequest, start: number, end: number, nowSec: number): Promise<UsageBucket[]> {
    const key = `recent ${JSON.stringify([req.def.path, req.params, start])}`;
    const kept = this.client.cache.peek<Kept>(key);
    const from = kept && kept.end > start && kept.end < end ? kept.end : start;
    const rest = await this.shared.fetch(req, from, end, false);
    const buckets = joinBuckets([from === start ? [] : keptBuckets(kept!.buckets), rest], start);

    const settledBefore = nowSec - req.def.provisional.seconds;
    let n = 0;
    while (n < buckets.length && buckets[n].end_time <= settledBefore) {
      n++;
    }
    if (n > 0 && buckets[n - 1].end_time > (kept?.end ?? start)) {
      // Compacted once this query has its answer.
      this.client.cache.keepLater(key, { buckets: buckets.slice(0, n), end: buckets[n - 1].end_time }, compactKept);
    }
    return buckets;
  }
}
