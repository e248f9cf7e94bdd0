/**
 * Usage and costs as time series: validate, plan windows, fetch them in parallel (pages followed), check
 * that the buckets join up exactly, resolve names, build frames.
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
import { ApiError } from '../api/errors';
import { UsageBucket, UsagePage } from '../api/types';
import { OpenAIQuery } from '../types';
import { QueryError, QueryRunner } from './context';
import { buildFrames } from './frames';
import { TimeWindow, autoBucketWidth, isSettled, planWindows, provisionalSeconds } from './plan';
import { checkRange, checkTimeSeriesQuery } from './validate';

const MAX_PAGES_PER_WINDOW = 100;

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

/** One window, every page, with the buckets checked to join up. */
async function fetchWindow(
  client: Pick<AdminApiClient, 'getJson'>,
  plan: FetchPlan,
  w: TimeWindow,
  nowSec: number
): Promise<UsageBucket[]> {
  const settled = isSettled(plan.def, w.end, nowSec);
  const buckets: UsageBucket[] = [];
  let page: string | undefined;
  for (let i = 0; i < MAX_PAGES_PER_WINDOW; i++) {
    const params: Params = { start_time: w.start, end_time: w.end, ...plan.params, page };
    const res = await client.getJson<UsagePage>(plan.def.path, params, { settled });
    buckets.push(...checkedBuckets(res, plan.def.path));
    if (!res.has_more) {
      return buckets;
    }
    if (!res.next_page || res.next_page === page) {
      throw new ApiError(
        'malformed',
        `${plan.def.label}: the API says more buckets follow but gives no new page cursor.`
      );
    }
    page = res.next_page;
  }
  throw new ApiError('malformed', `${plan.def.label}: more than ${MAX_PAGES_PER_WINDOW} pages for one window.`);
}

/** Buckets of one page, in the documented shape (the older schema's `result` accepted too). */
function checkedBuckets(res: UsagePage, path: string): UsageBucket[] {
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

function iso(t: number) {
  return new Date(t * 1000).toISOString();
}

/** One line per window, for the query inspector. */
export function describeRequests(plan: FetchPlan): string[] {
  const groupBy = plan.groupBy.length ? ` group_by=${plan.groupBy.join(',')}` : '';
  return plan.windows.map(
    (w) => `GET ${plan.def.path} ${iso(w.start)} → ${iso(w.end)} (${w.buckets} × ${plan.width})${groupBy}`
  );
}

/** Every window of the plan in parallel, joined into one checked run of buckets. Needs only GETs and a clock. */
export async function fetchBuckets(
  ctx: { client: Pick<AdminApiClient, 'getJson'>; now: () => number },
  plan: FetchPlan
): Promise<UsageBucket[]> {
  const nowSec = Math.floor(ctx.now() / 1000);
  const perWindow = await Promise.all(plan.windows.map((w) => fetchWindow(ctx.client, plan, w, nowSec)));
  return joinBuckets(perWindow, plan.start);
}

export function provisionalNotice(def: EndpointDef, end: number, nowMs: number): QueryResultMetaNotice | undefined {
  const from = Math.floor(nowMs / 1000) - provisionalSeconds(def);
  if (end <= from) {
    return undefined;
  }
  const when = new Date(from * 1000).toISOString().slice(0, 16).replace('T', ' ');
  return {
    severity: 'info',
    text:
      def.id === 'costs'
        ? `Costs after ${when} UTC are provisional: OpenAI settles costs over about a day, so recent days may still rise.`
        : `Usage after ${when} UTC is provisional: OpenAI may still revise recent buckets.`,
  };
}

export function nameKindsOf(groupBy: GroupByKey[]): NameKind[] {
  return groupBy.map((g) => DIMENSIONS[g].nameKind).filter((k): k is NameKind => Boolean(k));
}

export const runTimeSeries: QueryRunner = async (ctx, query, request) => {
  const nowMs = ctx.now();
  const plan = planQuery(query, request.range.from.valueOf(), request.range.to.valueOf(), nowMs, request.maxDataPoints);
  const [buckets, names] = await Promise.all([fetchBuckets(ctx, plan), ctx.names.resolve(nameKindsOf(plan.groupBy))]);
  const notices: QueryResultMetaNotice[] = names.warnings.map((text) => ({ severity: 'warning', text }));
  const provisional = provisionalNotice(plan.def, plan.end, nowMs);
  if (provisional) {
    notices.push(provisional);
  }
  return buildFrames({
    def: plan.def,
    metrics: plan.metrics,
    groupBy: plan.groupBy,
    width: plan.width,
    buckets,
    names: names.maps,
    costByModel: query.costByModel,
    legendFormat: query.legendFormat,
    refId: query.refId,
    notices,
    executed: describeRequests(plan),
  });
};
