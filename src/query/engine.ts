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
import { Params } from '../api/client';
import { UsageBucket } from '../api/types';
import { OpenAIQuery } from '../types';
import { BucketClient, fetchRange, iso, joinBuckets } from './buckets';
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
  /** Sent but not the query's: summed over when the series are built. */
  hidden?: GroupByKey[];
  /** Parameters common to every window. */
  params: Params;
  start: number;
  end: number;
  windows: TimeWindow[];
}

export interface PlanOptions {
  /**
   * Group API keys by their project too: a key belongs to one project, so the results are as many, and they tell
   * whose keys to list for names instead of every project's.
   */
  keyProjects?: boolean;
}

export function planQuery(
  query: OpenAIQuery,
  fromMs: number,
  toMs: number,
  nowMs: number,
  maxDataPoints?: number,
  options: PlanOptions = {}
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
  const hidden: GroupByKey[] =
    options.keyProjects &&
    sentGroupBy.includes('api_key_id') &&
    !sentGroupBy.includes('project_id') &&
    def.groupBy.includes('project_id')
      ? ['project_id']
      : [];
  sentGroupBy.push(...hidden);

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
    hidden,
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
 * the data source's recent buckets, windows are shared with other panels' fetches of the same range, and a window
 * reaching into the provisional period fetches only what may have changed.
 */
export async function fetchBuckets(
  ctx: { client: BucketClient; now: () => number; recent?: RecentBuckets },
  plan: FetchPlan
): Promise<UsageBucket[]> {
  const nowSec = Math.floor(ctx.now() / 1000);
  const settled = plan.windows.map((w) => isSettled(plan.def, w.end, nowSec));
  const perWindow: Array<Promise<UsageBucket[]>> = [];
  // The window reaching now first: on a refresh its request is the one the panel waits for, and its settled windows,
  // read from the cache meanwhile, must not hold back its start.
  for (const pass of [false, true]) {
    plan.windows.forEach((w, i) => {
      if (settled[i] !== pass) {
        return;
      }
      if (!ctx.recent) {
        perWindow[i] = fetchRange(ctx.client, plan, w.start, w.end, pass);
      } else {
        perWindow[i] = pass ? ctx.recent.settled(plan, w.start, w.end) : ctx.recent.fetch(plan, w.start, w.end, nowSec);
      }
    });
  }
  return joinBuckets(await Promise.all(perWindow), plan.start);
}

export function provisionalNotice(def: EndpointDef, end: number, nowMs: number): QueryResultMetaNotice | undefined {
  const from = Math.floor(nowMs / 1000) - def.provisional.seconds;
  if (end <= from) {
    return undefined;
  }
  const when = new Date(from * 1000).toISOString().slice(0, 16).replace('T', ' ');
  return { severity: 'info', text: def.provisional.notice(when) };
}

/** The grouping a plan shows: what it sends but for what it only sums over. */
export function shownDims(plan: Pick<FetchPlan, 'groupBy' | 'hidden'>): GroupByKey[] {
  return plan.groupBy.filter((d) => !plan.hidden?.includes(d));
}

export function nameKindsOf(groupBy: GroupByKey[]): NameKind[] {
  return groupBy.map((g) => DIMENSIONS[g].nameKind).filter((k): k is NameKind => Boolean(k));
}
