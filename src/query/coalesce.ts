/**
 * Fetches shared by the panels of a dashboard. Grafana runs each panel's query on its own, at about the same time;
 * fetches of the same endpoint, bucket width, filters and range end that arrive within a few milliseconds go out as
 * one request grouped by the union of their dimensions (where that union stays small), and each panel gets the sums
 * for its own grouping. A range starting on a bucket boundary is cut out of one that starts earlier.
 */
import { BUCKET_SECONDS, BucketWidth, DIMENSIONS, GroupByKey, MetricDef, NameKind } from '../api/catalog';
import { AdminApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { LIST_LIMIT } from '../org/lists';
import { UsageBucket, UsageResult } from '../api/types';
import { BucketRequest, fetchRange, iso } from './buckets';
import { countBuckets } from './plan';
import { currencyOf, metricValue } from './values';

/** How long a fetch waits for other panels' fetches of the same range to join it. */
export const COALESCE_MS = 10;
/** Buckets beyond the provisional period that still count as a short, recent fetch. */
const RECENT_SLACK_BUCKETS = 2;
/**
 * Dimensions with thousands of values in a large organization. Another dimension beside one of them multiplies the
 * rows of the answer, so they share a request only with groupings contained in a member's own: how many rows such
 * a union gives is known only from its answer.
 */
export const WIDE: ReadonlySet<GroupByKey> = new Set<GroupByKey>(['user_id', 'api_key_id', 'vector_store_id']);
/**
 * A wide dimension whose name list is known to hold at most this many objects (one page of a list) has no more
 * values than a narrow one, and joins unions like one.
 */
export const FEW_VALUES = LIST_LIMIT;

/** Whether a dimension may have too many values to stand beside another in one request. */
export type WideTest = (g: GroupByKey) => boolean;

/** The WIDE dimensions, but for those whose objects `count` knows to be few. */
export function wideUnlessFew(count: (kind: NameKind) => number | undefined): WideTest {
  return (g) => {
    if (!WIDE.has(g)) {
      return false;
    }
    const kind = DIMENSIONS[g].nameKind;
    const n = kind ? count(kind) : undefined;
    return !(n !== undefined && n <= FEW_VALUES);
  };
}

export interface GroupedRequest extends BucketRequest {
  width: BucketWidth;
  /** The grouping sent, in the catalog's order. */
  groupBy: GroupByKey[];
}

interface Member {
  start: number;
  groupBy: GroupByKey[];
  resolve(buckets: UsageBucket[]): void;
  reject(error: unknown): void;
}

/** Fetches of the same range (but for group_by and start) waiting to be sent together. */
interface Waiting {
  req: GroupedRequest;
  end: number;
  settled: boolean;
  members: Member[];
  /** The wide dimensions as known when the first member came: lists loaded since do not change this batch. */
  wide: ReadonlySet<GroupByKey>;
}

interface InFlight {
  start: number;
  groupBy: GroupByKey[];
  buckets: Promise<UsageBucket[]>;
}

export class CoalescedFetches {
  private readonly waiting = new Map<string, Waiting>();
  private readonly inFlight = new Map<string, InFlight[]>();

  constructor(
    private readonly client: Pick<AdminApiClient, 'getJson' | 'cache'>,
    private readonly delayMs = COALESCE_MS,
    private readonly isWide: WideTest = (g) => WIDE.has(g)
  ) {}

  /**
   * The buckets of [start, end) for the request's own grouping. Joins a request in flight that covers this one, or
   * waits briefly for other panels to send one request. `settled` lets the client keep the answer.
   */
  fetch(req: GroupedRequest, start: number, end: number, settled: boolean): Promise<UsageBucket[]> {
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
        // A settled window's answer is kept under the grouping sent, which must not change as lists become known.
        const wide = settled ? WIDE : new Set(req.def.groupBy.filter(this.isWide));
        waiting = { req, end, settled, members: [], wide };
        this.waiting.set(key, waiting);
        setTimeout(() => this.send(key), this.delayMs);
      }
      waiting.members.push({ start, groupBy: req.groupBy, resolve, reject });
    });
  }

  private send(key: string) {
    const { req, end, settled, members, wide } = this.waiting.get(key)!;
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
      for (const batch of batches(req, group, isShort(req, start, end), wide)) {
        const groupBy = req.def.groupBy.filter((g) => batch.some((m) => m.groupBy.includes(g)));
        const union = { def: req.def, params: { ...req.params, group_by: groupBy.length ? groupBy : undefined } };
        const buckets = fetchRange(this.client, union, start, end, settled);
        const entry: InFlight = { start, groupBy, buckets };
        this.inFlight.set(key, [...(this.inFlight.get(key) ?? []), entry]);
        const done = () => {
          const left = this.inFlight.get(key)?.filter((f) => f !== entry) ?? [];
          left.length ? this.inFlight.set(key, left) : this.inFlight.delete(key);
        };
        buckets.then(done, done);
        for (const m of batch) {
          buckets.then((b) => regrouped({ ...req, groupBy: m.groupBy }, b, m.start, groupBy)).then(m.resolve, m.reject);
        }
      }
    }
  }
}

/**
 * Members split into requests whose union of groupings stays small: largest groupings first (so the split does not
 * depend on which panel asked first), each joining the first request it fits. A short fetch (the provisional period
 * and a little more) has few buckets, so any union fits. Otherwise a union adds at most one dimension to its largest
 * member's grouping, and none beside a wide dimension: the rows of the answer then stay within about the largest
 * member's rows times the values of one narrow dimension (a model, a line item, a project).
 */
function batches(req: GroupedRequest, members: Member[], short: boolean, wide: ReadonlySet<GroupByKey>): Member[][] {
  const sorted = [...members].sort(
    (a, b) => b.groupBy.length - a.groupBy.length || order(req, a).localeCompare(order(req, b))
  );
  const out: Array<{ largest: GroupByKey[]; union: Set<GroupByKey>; members: Member[] }> = [];
  for (const m of sorted) {
    const fit = out.find((b) => {
      const union = new Set([...b.union, ...m.groupBy]);
      const added = [...union].filter((g) => !b.largest.includes(g));
      return short || added.length === 0 || (added.length === 1 && ![...union].some((g) => wide.has(g)));
    });
    if (fit) {
      m.groupBy.forEach((g) => fit.union.add(g));
      fit.members.push(m);
    } else {
      out.push({ largest: m.groupBy, union: new Set(m.groupBy), members: [m] });
    }
  }
  return out.map((b) => b.members);
}

/** A member's grouping in the catalog's order, as a sort key. */
function order(req: GroupedRequest, m: Member): string {
  return req.def.groupBy.filter((g) => m.groupBy.includes(g)).join(',');
}

/** A short fetch: the provisional period and little more, so a union of groupings stays small. */
export function isShort(req: GroupedRequest, start: number, end: number): boolean {
  const provisional = Math.ceil(req.def.provisional.seconds / BUCKET_SECONDS[req.width]);
  return countBuckets(start, end, req.width) <= provisional + RECENT_SLACK_BUCKETS;
}

function cuttable(start: number, from: number, width: number): boolean {
  return start === from || (start > from && start % width === 0);
}

/** The buckets from `start` on, summed to the request's own grouping. */
function regrouped(req: GroupedRequest, buckets: UsageBucket[], start: number, sent: GroupByKey[]): UsageBucket[] {
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
function sumGroups(req: GroupedRequest, results: UsageResult[]): UsageResult[] {
  const dims = req.groupBy;
  // Amounts in different currencies are never added up.
  const money = req.def.metrics.filter((m) => m.value === 'money');
  const depth = dims.length + money.length;
  // One map level per dimension and currency, the last holding the group: no key is built per result.
  const root: Level = new Map();
  const groups: UsageResult[] = [];
  const json = new Map<string, object>();
  let only: UsageResult | undefined;
  for (const r of results) {
    let g: UsageResult | undefined;
    if (depth === 0) {
      g = only;
    } else {
      let level = root;
      for (let j = 0; j < depth - 1; j++) {
        const part = partOf(r, dims, money, j, json);
        let next = level.get(part) as Level | undefined;
        if (!next) {
          next = new Map();
          level.set(part, next);
        }
        level = next;
      }
      const last = partOf(r, dims, money, depth - 1, json);
      g = level.get(last) as UsageResult | undefined;
      if (!g) {
        g = newGroup(r, dims);
        level.set(last, g);
        groups.push(g);
      }
    }
    if (!g) {
      only = g = newGroup(r, dims);
      groups.push(g);
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
  return groups;
}

/** Groups by one map level per value (see sumGroups). */
interface Level extends Map<unknown, Level | UsageResult> {}

/**
 * Value j of a result's group: its dimensions, then the currency of each amount. Text, flags, numbers and null are
 * their own keys; anything else (never sent by the API) is keyed by its JSON, so equal values share a group.
 */
function partOf(r: UsageResult, dims: GroupByKey[], money: MetricDef[], j: number, json: Map<string, object>): unknown {
  if (j >= dims.length) {
    return currencyOf(r, money[j - dims.length]);
  }
  const v = r[dims[j]] ?? null;
  if (v === null || typeof v !== 'object') {
    return v;
  }
  // One key object per JSON text, apart from every text, flag or number.
  const text = JSON.stringify(v);
  let key = json.get(text);
  if (!key) {
    key = {};
    json.set(text, key);
  }
  return key;
}

function newGroup(r: UsageResult, dims: GroupByKey[]): UsageResult {
  const group: UsageResult = { object: r.object };
  for (const d of dims) {
    (group as Record<string, unknown>)[d] = r[d] ?? null;
  }
  return group;
}
