/**
 * Top N + Other: a grouped time series keeps the N series with the largest sum over the whole range of every metric
 * added up (input plus output tokens, say; ties by display name), the same series for each metric, and sums every
 * other series, bucket by bucket, into one "Other" series, so the panel's totals still add up to the ungrouped
 * query's and it draws at most N + 1 series.
 */
import { QueryResultMetaNotice } from '@grafana/data';

import { DIMENSIONS, GroupByKey } from '../api/catalog';

/** Series kept when a grouping has one value per user or API key and the query sets no Top. */
export const DEFAULT_TOP_N = 20;
/** More series than this is no longer a top list; the panel could not draw them anyway. */
export const MAX_TOP_N = 1000;

/** Why the query's Top cannot be used, or undefined when it can (unset, or a whole number 0…MAX_TOP_N). */
export function topNProblem(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= MAX_TOP_N) {
    return undefined;
  }
  return `Top must be a whole number of series from 0 (every series) to ${MAX_TOP_N}, not ${JSON.stringify(value)}.`;
}

export interface TopLimit {
  /** Series kept per metric; 0 keeps every series. */
  n: number;
  /** The query set no Top and the grouping's default applied. */
  byDefault: boolean;
}

/** How many series of `count` to keep for a query's Top over its (shown) grouping. */
export function topLimit(topN: unknown, dims: GroupByKey[], count: number): TopLimit {
  if (topN !== undefined && topN !== null && topN !== '') {
    return { n: Number(topN), byDefault: false };
  }
  const many = dims.some((d) => DIMENSIONS[d].many);
  return many && count > DEFAULT_TOP_N ? { n: DEFAULT_TOP_N, byDefault: true } : { n: 0, byDefault: false };
}

/** The label of the summed rest, e.g. `Other (57 users)`; several groupings count series. */
export function otherText(count: number, dims: GroupByKey[], byModel: boolean): string {
  const what = byModel
    ? dims.length
      ? 'series'
      : 'models'
    : dims.length === 1
      ? DIMENSIONS[dims[0]].plural
      : 'series';
  return `Other (${count.toLocaleString('en-US')} ${what})`;
}

export function defaultTopNotice(kept: number, count: number): QueryResultMetaNotice {
  return {
    severity: 'info',
    text: `Showing the ${kept} largest of ${count.toLocaleString('en-US')} series by total over the range; the other ${(count - kept).toLocaleString('en-US')} are summed as "Other". Set Top in the query to change this (0 shows every series).`,
  };
}
