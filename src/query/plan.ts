/**
 * Planning: a panel's time range becomes the fewest requests the API allows. Each window holds at most the
 * per-width `limit` maximum of buckets, so one request per window fetches it whole (pages are still
 * followed if the API sends any).
 */
import { BUCKET_SECONDS, BucketWidth, EndpointDef } from '../api/catalog';

/** More buckets than this per series is refused before any request: the panel could not draw them anyway. */
export const MAX_BUCKETS = 20_000;
/** Auto never picks a width giving more buckets than this, whatever the panel's width. */
const AUTO_MAX_BUCKETS = 2000;

export interface TimeWindow {
  /** Unix seconds, inclusive. */
  start: number;
  /** Unix seconds, exclusive. */
  end: number;
  /** Buckets in the window. */
  buckets: number;
}

export function alignDown(t: number, width: BucketWidth): number {
  const w = BUCKET_SECONDS[width];
  return Math.floor(t / w) * w;
}

/** Buckets in [start, end): a partial first bucket when start is not on a UTC boundary, a partial last one likewise. */
export function countBuckets(start: number, end: number, width: BucketWidth): number {
  if (end <= start) {
    return 0;
  }
  const w = BUCKET_SECONDS[width];
  return Math.ceil((end - alignDown(start, width)) / w);
}

/** Ranges longer than this get daily buckets, whatever the panel's width. */
export const AUTO_DAILY_AFTER_SECONDS = 7 * 86400;
/** Ranges longer than this get hourly buckets or wider. */
export const AUTO_HOURLY_AFTER_SECONDS = 86400;

/**
 * Auto: day-scale ranges get a width from the range alone (daily beyond a week, hourly beyond a day), so two
 * panels of one dashboard agree whatever their widths; shorter ranges get the finest width the panel can draw.
 */
export function autoBucketWidth(def: EndpointDef, start: number, end: number, maxDataPoints?: number): BucketWidth {
  const cap = Math.min(maxDataPoints && maxDataPoints > 0 ? maxDataPoints : 1000, AUTO_MAX_BUCKETS);
  const span = end - start;
  const finest = span > AUTO_DAILY_AFTER_SECONDS ? 86400 : span > AUTO_HOURLY_AFTER_SECONDS ? 3600 : 60;
  const widths = [...def.bucketWidths].sort((a, b) => BUCKET_SECONDS[a] - BUCKET_SECONDS[b]);
  const allowed = widths.filter((w) => BUCKET_SECONDS[w] >= finest);
  const candidates = allowed.length ? allowed : widths;
  return candidates.find((w) => countBuckets(start, end, w) <= cap) ?? candidates[candidates.length - 1];
}

/** Splits [start, end) into windows of at most `limit` buckets each, following the API's bucket boundaries. */
export function planWindows(start: number, end: number, width: BucketWidth, limit: number): TimeWindow[] {
  const w = BUCKET_SECONDS[width];
  const windows: TimeWindow[] = [];
  for (let s = start; s < end;) {
    const e = Math.min(end, alignDown(s, width) + limit * w);
    windows.push({ start: s, end: e, buckets: countBuckets(s, e, width) });
    s = e;
  }
  return windows;
}

/** Whether OpenAI may still revise anything in a window ending at `end`. */
export function isSettled(def: EndpointDef, end: number, now: number): boolean {
  return end <= now - def.provisional.seconds;
}
