/**
 * Recent buckets. A dashboard's ranges end at "now", so every refresh asks again for windows whose last buckets
 * are provisional. After the first answer, such a window's settled buckets are kept (in the client's
 * memory-bounded cache) and later queries fetch only the buckets after them. Those short fetches, from panels
 * that differ only in group_by or that start on a later bucket boundary, go out as one request grouped by the
 * union of their dimensions, and each panel gets the sums for its own grouping.
 */
import { BUCKET_SECONDS, BucketWidth, GroupByKey } from '../api/catalog';
import { AdminApiClient, estimateBytes } from '../api/client';
import { ApiError } from '../api/errors';
import { UsageBucket, UsageResult } from '../api/types';
import { BucketRequest, fetchRange, iso, joinBuckets } from './buckets';
import { currencyOf, metricValue } from './values';
import { countBuckets } from './plan';

/** How long a recent fetch waits for other panels' fetches of the same range to join it. */
export const COALESCE_MS = 10;
/** Buckets beyond the provisional period that still count as a short, recent fetch. */
const RECENT_SLACK_BUCKETS = 2;

export interface RecentRequest extends BucketRequest {
  width: BucketWidth;
  /** The grouping sent, in the catalog's order. */
  groupBy: GroupByKey[];
}

/** The settled buckets at the start of a window, and where they end. */
interface Kept {
  buckets: UsageBucket[];
  end: number;
}

interface Member {
  start: number;
  groupBy: GroupByKey[];
  resolve(buckets: UsageBucket[]): void;
  reject(error: unknown): void;
}

/** Fetches of the same range (but for group_by and start) waiting to be sent together. */
interface Waiting {
  req: RecentRequest;
  end: number;
  members: Member[];
}

interface InFlight {
  start: number;
  groupBy: GroupByKey[];
  buckets: Promise<UsageBucket[]>;
}

export class RecentBuckets {
  private readonly waiting = new Map<string, Waiting>();
  private readonly inFlight = new Map<string, InFlight[]>();

  constructor(
    private readonly client: Pick<AdminApiClient, 'getJson' | 'cache'>,
    private readonly delayMs = COALESCE_MS
  ) {}

  /** The buckets of [start, end), a window that reaches into the provisional period. */
  async fetch(req: RecentRequest, start: number, end: number, nowSec: number): Promise<UsageBucket[]> {
    const key = `recent ${JSON.stringify([req.def.path, req.params, start])}`;
    const kept = this.client.cache.peek<Kept>(key);
    const from = kept && kept.end > start && kept.end < end ? kept.end : start;
    const rest = isShort(req, from, end)
      ? await this.coalesced(req, from, end)
      : await fetchRange(this.client, req, from, end, false);
    const buckets = joinBuckets([from === start ? [] : kept!.buckets, rest], start);

    const settledBefore = nowSec - req.def.provisional.seconds;
    let n = 0;
    while (n < buckets.length && buckets[n].end_time <= settledBefore) {
      n++;
    }
    if (n > 0 && buckets[n - 1].end_time > (kept?.end ?? start)) {
      const prefix = buckets.slice(0, n);
      this.client.cache.put(key, { buckets: prefix, end: prefix[n - 1].end_time }, estimateBytes({ data: prefix }));
    }
    return buckets;
  }

  /** Joins a request in flight that covers this one, or waits briefly for others to send one request. */
  private coalesced(req: RecentRequest, start: number, end: number): Promise<UsageBucket[]> {
    const key = JSON.stringify([req.def.path, { ...req.params, group_by: undefined }, end]);
    const width = BUCKET_SECONDS[req.width];
    const covering = this.inFlight
      .get(key)
      ?.find((f) => req.groupBy.every((g) => f.groupBy.includes(g)) && cuttable(start, f.start, width));
    if (covering) {
      return covering.buckets.then((buckets) => regrouped(req, buckets, start, covering.groupBy));
    }
    return new Promise((resolve, reject) => {
      let waiting = this.waiting.get(key);
      if (!waiting) {
        waiting = { req, end, members: [] };
        this.waiting.set(key, waiting);
        setTimeout(() => this.send(key), this.delayMs);
      }
      waiting.members.push({ start, groupBy: req.groupBy, resolve, reject });
    });
  }

  private send(key: string) {
    const { req, end, members } = this.waiting.get(key)!;
    this.waiting.delete(key);
    const width = BUCKET_SECONDS[req.width];
    const first = Math.min(...members.map((m) => m.start));
    // A member starting on a bucket boundary is cut from a range that starts earlier; a partial first bucket is not.
    const byStart = new Map<number, Member[]>();
    for (const m of members) {
      const start = cuttable(m.start, first, width) ? first : m.start;
      byStart.set(start, [...(byStart.get(start) ?? []), m]);
    }
    for (const [start, group] of byStart) {
      const groupBy = req.def.groupBy.filter((g) => group.some((m) => m.groupBy.includes(g)));
      const union = { def: req.def, params: { ...req.params, group_by: groupBy.length ? groupBy : undefined } };
      const buckets = fetchRange(this.client, union, start, end, false);
      const entry: InFlight = { start, groupBy, buckets };
      this.inFlight.set(key, [...(this.inFlight.get(key) ?? []), entry]);
      const done = () => {
        const left = this.inFlight.get(key)?.filter((f) => f !== entry) ?? [];
        left.length ? this.inFlight.set(key, left) : this.inFlight.delete(key);
      };
      buckets.then(done, done);
      for (const m of group) {
        buckets.then((b) => regrouped({ ...req, groupBy: m.groupBy }, b, m.start, groupBy)).then(m.resolve, m.reject);
      }
    }
  }
}

/** A short fetch: the provisional period and little more, so a union of groupings stays small. */
function isShort(req: RecentRequest, start: number, end: number): boolean {
  const provisional = Math.ceil(req.def.provisional.seconds / BUCKET_SECONDS[req.width]);
  return countBuckets(start, end, req.width) <= provisional + RECENT_SLACK_BUCKETS;
}

function cuttable(start: number, from: number, width: number): boolean {
  return start === from || (start > from && start % width === 0);
}

/** The buckets from `start` on, summed to the request's own grouping. */
function regrouped(req: RecentRequest, buckets: UsageBucket[], start: number, sent: GroupByKey[]): UsageBucket[] {
  const i = buckets.findIndex((b) => b.start_time === start);
  if (i < 0) {
    throw new ApiError(
      'malformed',
      `The API's buckets do not join up: expected a bucket at ${iso(start)}. Refusing to show a range with a missing bucket.`
    );
  }
  const mine = buckets.slice(i);
  if (sent.length === req.groupBy.length) {
    return mine;
  }
  return mine.map((b) => ({ ...b, results: sumGroups(req, b.results) }));
}

/** What the API answers for a coarser grouping: metrics summed over the dimensions not asked for. */
function sumGroups(req: RecentRequest, results: UsageResult[]): UsageResult[] {
  const groups = new Map<string, UsageResult>();
  for (const r of results) {
    const values = req.groupBy.map((d) => r[d] ?? null);
    // Amounts in different currencies are never added up.
    const currencies = req.def.metrics.filter((m) => m.value === 'money').map((m) => currencyOf(r, m));
    const key = JSON.stringify([...values, ...currencies]);
    let g = groups.get(key);
    if (!g) {
      const group: UsageResult = { object: r.object };
      req.groupBy.forEach((d, j) => ((group as Record<string, unknown>)[d] = values[j]));
      groups.set(key, (g = group));
    }
    for (const m of req.def.metrics) {
      const absent = r[m.field] === undefined || r[m.field] === null;
      if (m.value === 'money') {
        const sum = Number((g[m.field] as UsageResult['amount'])?.value ?? 0) + metricValue(r, m);
        g[m.field] = { value: sum, currency: (r[m.field] as UsageResult['amount'])?.currency ?? null };
      } else if (!absent) {
        g[m.field] = ((g[m.field] as number | undefined) ?? 0) + metricValue(r, m);
      }
    }
  }
  return [...groups.values()];
}
