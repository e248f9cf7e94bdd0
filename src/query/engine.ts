/**
 * The engine: a usage or costs query becomes a plan (validated, windows within the API's limits), the plan's
 * buckets are fetched in parallel (pages followed, runs checked to join up), and it says what it sent and what
 * may still change. Time series, insights, inventory and the pickers all read the API through here.
 */
import { QueryResultMetaNotice } from '@grafana/data';

import {
  BucketWidth,
  DIMENSIONS,
  ENDPOINTS,
  EndpointDef,
  FILTERS,
  FilterKey,
  GroupByKey,
  MetricDef,
  NameKind,
  defaultMetrics,
  findMetric,
} from '../api/catalog';
import { AdminApiClient, Params } from '../api/client';
import { UsageBucket } from '../api/types';
import { OpenAIQuery } from '../types';
import { fetchRange, iso, joinBuckets } from './buckets';
import { QueryError } from './context';
import { TimeWindow, autoBucketWidth, isSettled, planWindows } from './plan';
import { RecentBuckets } from './recent';
import { checkRange, checkTimeSeriesQuery } from './validate';

/** A query resolved against the catalog and the time range: everything needed to send requests. */
export interface FetchPlan {
  def: EndpointDef;
  width: BucketWidth;
  metrics: MetricDef[];
  groupBy: GroupByKey[];
  /** Parameters common to every window. */
  params: Params;
  start: number;
  end: number;
  windows: TimeWindow[];
}

export function planQuery(
  query: OpenAIQuery,
  fromMs: number,
  toMs: number,
  nowMs: number,
  maxDataPoints?: number
): FetchPlan {
  const problems = checkTimeSeriesQuery(query);
  if (problems.length) {
    throw new QueryError(problems);
  }
  const def = ENDPOINTS[query.source!];
  const start = Math.floor(fromMs / 1000);
  const end = Math.floor(toMs / 1000);
  const now = Math.floor(nowMs / 1000);
  const width: BucketWidth =
    !query.bucketWidth || query.bucketWidth === 'auto'
      ? autoBucketWidth(def, start, end, maxDataPoints)
      : query.bucketWidth;
  const rangeProblems = checkRange(start, end, width, now);
  if (rangeProblems.length) {
    throw new QueryError(rangeProblems);
  }
  const fields = query.metrics?.length ? query.metrics : defaultMetrics(def);
  const metrics = fields.map((f) => findMetric(def, f)!);
  const groupBy = [...(query.groupBy ?? [])];
  const sentGroupBy =
    query.costByModel && !groupBy.includes('line_item') ? [...groupBy, 'line_item' as const] : groupBy;

  // Parameter order as in OpenAI's own examples; the order also keys the request cache.
  const params: Params = { bucket_width: width };
  for (const key of def.filters) {
    const value = query.filters?.[key as FilterKey];
    if (Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null) {
      params[FILTERS[key].param] = value as string[] | boolean;
    }
  }
  params.group_by = sentGroupBy.length ? sentGroupBy : undefined;
  const limit = def.limits[width]!.max;
  params.limit = limit;
  return {
    def,
    width,
    metrics,
    groupBy: sentGroupBy,
    params,
    start,
    end,
    windows: planWindows(start, end, width, limit),
  };
}

/** One line per window, for the query inspector. */
export function describeRequests(plan: FetchPlan): string[] {
  const groupBy = plan.groupBy.length ? ` group_by=${plan.groupBy.join(',')}` : '';
  return plan.windows.map(
    (w) => `GET ${plan.def.path} ${iso(w.start)} → ${iso(w.end)} (${w.buckets} × ${plan.width})${groupBy}`
  );
}

/**
 * Every window of the plan in parallel, joined into one checked run of buckets. Needs only GETs and a clock; with
 * the data source's recent buckets, a window reaching into the provisional period fetches only what may have changed.
 */
export async function fetchBuckets(
  ctx: { client: Pick<AdminApiClient, 'getJson'>; now: () => number; recent?: RecentBuckets },
  plan: FetchPlan
): Promise<UsageBucket[]> {
  const nowSec = Math.floor(ctx.now() / 1000);
  const perWindow = await Promise.all(
    plan.windows.map((w) => {
      const settled = isSettled(plan.def, w.end, nowSec);
      return !settled && ctx.recent
        ? ctx.recent.fetch(plan, w.start, w.end, nowSec)
        : fetchRange(ctx.client, plan, w.start, w.end, settled);
    })
  );
  return joinBuckets(perWindow, plan.start);
}

export function provisionalNotice(def: EndpointDef, end: number, nowMs: number): QueryResultMetaNotice | undefined {
  const from = Math.floor(nowMs / 1000) - def.provisional.seconds;
  if (end <= from) {
    return undefined;
  }
  const when = new Date(from * 1000).toISOString().slice(0, 16).replace('T', ' ');
  return { severity: 'info', text: def.provisional.notice(when) };
}

export function nameKindsOf(groupBy: GroupByKey[]): NameKind[] {
  return groupBy.map((g) => DIMENSIONS[g].nameKind).filter((k): k is NameKind => Boolean(k));
}
