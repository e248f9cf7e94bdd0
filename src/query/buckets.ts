/**
 * Buckets from the API: every page of a range, each page checked for the documented shape, and runs of
 * buckets checked to join up exactly.
 */
import { BUCKET_SECONDS, BucketWidth, EndpointDef } from '../api/catalog';
import { Settled } from '../api/cache';
import { AdminApiClient, Params, encodeQuery } from '../api/client';
import { ApiError, cursorCycle, describePath } from '../api/errors';
import { UsageBucket, UsagePage } from '../api/types';
import { CompactBuckets, KeptBuckets, keptBuckets, settleBuckets } from './compact';

const MAX_PAGES_PER_RANGE = 100;

/** What a request for buckets needs besides its time range. */
export interface BucketRequest {
  def: EndpointDef;
  /** Parameters common to every range: bucket_width, filters, group_by, limit. */
  params: Params;
}

/** What fetching buckets needs of the client: GETs, and its cache to keep settled windows (if it has one). */
export type BucketClient = Pick<AdminApiClient, 'getJson'> & Partial<Pick<AdminApiClient, 'cache'>>;

const compactWindow = (buckets: UsageBucket[]): Settled<CompactBuckets> => {
  const compact = settleBuckets(buckets);
  return { value: compact, bytes: compact.bytes };
};

/**
 * [start, end), every page. A `settled` window (OpenAI no longer revises it) is kept in the client's cache, compactly.
 * Its first readers get the parsed buckets; compacting waits until they have had them, off their critical path.
 * A window starting off a bucket boundary (a range such as now-7d) starts elsewhere at every refresh while its later
 * buckets stay the same: those are kept apart from the first, so a refresh fetches only its new first bucket.
 */
export async function fetchRange(
  client: BucketClient,
  req: BucketRequest,
  start: number,
  end: number,
  settled: boolean
): Promise<UsageBucket[]> {
  const cache = client.cache;
  if (!settled || !cache) {
    return fetchPages(client, req, start, end);
  }
  const key = (from: number, to: number) =>
    `settled ${req.def.path}?${encodeQuery({ start_time: from, end_time: to, ...req.params })}`;
  const kept = (from: number, to: number) =>
    cache.get<KeptBuckets>(key(from, to), async () => {
      const buckets = await fetchPages(client, req, from, to);
      cache.keepLater(key(from, to), buckets, compactWindow);
      return buckets;
    });
  const width = BUCKET_SECONDS[req.params.bucket_width as BucketWidth];
  const boundary = Math.ceil(start / width) * width;
  if (!(boundary > start && boundary < end)) {
    return keptBuckets(await kept(start, end));
  }
  const later = cache.peek<KeptBuckets>(key(boundary, end));
  if (later) {
    return [...keptBuckets(await kept(start, boundary)), ...keptBuckets(later)];
  }
  // One request for the whole window, kept as its first bucket and the rest.
  const parts = await cache.get(key(start, end), async () => {
    const buckets = await fetchPages(client, req, start, end);
    const cut = buckets.findIndex((b) => b.start_time >= boundary);
    const first = buckets.slice(0, cut < 0 ? buckets.length : cut);
    const rest = cut < 0 ? [] : buckets.slice(cut);
    cache.keepLater(key(start, boundary), first, compactWindow);
    cache.keepLater(key(boundary, end), rest, compactWindow);
    return [first, rest];
  });
  return parts.flat();
}

async function fetchPages(
  client: Pick<AdminApiClient, 'getJson'>,
  req: BucketRequest,
  start: number,
  end: number
): Promise<UsageBucket[]> {
  const buckets: UsageBucket[] = [];
  let page: string | undefined;
  const seen = new Set<string>();
  const width = BUCKET_SECONDS[req.params.bucket_width as BucketWidth];
  for (let i = 0; i < MAX_PAGES_PER_RANGE; i++) {
    const params: Params = { start_time: start, end_time: end, ...req.params, page };
    const res = await client.getJson<UsagePage>(req.def.path, params);
    buckets.push(...checkedBuckets(res, req.def.path, { start, end, width }));
    if (!res.has_more) {
      return buckets;
    }
    if (!res.next_page || typeof res.next_page !== 'string') {
      throw new ApiError('malformed', `${req.def.label}: the API says more buckets follow but gives no page cursor.`, {
        path: req.def.path,
      });
    }
    if (seen.has(res.next_page) || res.next_page === page) {
      throw new ApiError('malformed', cursorCycle(req.def.label), { path: req.def.path });
    }
    seen.add(res.next_page);
    page = res.next_page;
  }
  throw new ApiError('malformed', `${req.def.label}: more than ${MAX_PAGES_PER_RANGE} pages for one window.`);
}

/** The requested range and bucket width (seconds) a page's buckets must fall in. */
interface Window {
  start: number;
  end: number;
  width: number;
}

/**
 * A bucket must lie in the requested range and be one bucket of the requested width: it starts at the range's
 * start or on a width boundary, and ends at the next boundary (or earlier, at the range's end or the request
 * time). Anything else (minute buckets for a daily query, a bucket past end_time) would be shown as wrong data.
 */
function bucketProblem(b: UsageBucket, w: Window): string | undefined {
  if (b.start_time < w.start || b.start_time >= w.end || b.end_time > w.end) {
    return `a bucket ${iso(b.start_time)} → ${iso(b.end_time)} lies outside the requested ${iso(w.start)} → ${iso(w.end)}`;
  }
  const next = Math.min((Math.floor(b.start_time / w.width) + 1) * w.width, w.end);
  if ((b.start_time !== w.start && b.start_time % w.width !== 0) || !(b.end_time > b.start_time) || b.end_time > next) {
    return `a bucket ${iso(b.start_time)} → ${iso(b.end_time)} is not one ${widthText(w.width)} bucket`;
  }
  return undefined;
}

function widthText(seconds: number): string {
  return seconds % 86400 === 0
    ? `${seconds / 86400}-day`
    : seconds % 3600 === 0
      ? `${seconds / 3600}-hour`
      : `${seconds / 60}-minute`;
}

/** Buckets of one page, in the documented shape (the older schema's `result` accepted too), inside the window. */
function checkedBuckets(res: UsagePage, path: string, window: Window): UsageBucket[] {
  if (!res || !Array.isArray(res.data)) {
    throw new ApiError('malformed', `The answer for ${path} is not a usage page (no "data" array).`, { path });
  }
  return res.data.map((b) => {
    const results = b?.results ?? (b as unknown as { result?: UsageBucket['results'] })?.result;
    if (typeof b?.start_time !== 'number' || typeof b?.end_time !== 'number' || !Array.isArray(results)) {
      throw new ApiError('malformed', `The answer for ${path} has a bucket without start_time, end_time or results.`, {
        path,
      });
    }
    const problem = Number.isFinite(window.width) ? bucketProblem(b, window) : undefined;
    if (problem) {
      throw new ApiError(
        'malformed',
        `The answer for ${describePath(path)} does not fit the request: ${problem}. Refusing to show it as data.`,
        { path }
      );
    }
    return { ...b, results };
  });
}

/** Every bucket must start where the previous one ended: a gap or an overlap would lose or double-count data. */
export function joinBuckets(windows: UsageBucket[][], start: number): UsageBucket[] {
  const all = windows.flat();
  let expected = start;
  for (const b of all) {
    if (b.start_time !== expected) {
      throw new ApiError(
        'malformed',
        `The API's buckets do not join up: expected a bucket at ${iso(expected)}, got ${iso(b.start_time)}. Refusing to show a range with a missing or doubled bucket.`
      );
    }
    expected = b.end_time;
  }
  return all;
}

export function iso(t: number) {
  return new Date(t * 1000).toISOString();
}
