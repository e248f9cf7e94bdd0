/** Usage and costs as time series: the engine's plan and buckets, names resolved, built into frames. */
import { QueryResultMetaNotice } from '@grafana/data';

import { OpenAIQuery } from '../types';
import { ResolvedNames } from '../org/directory';
import { DIMENSIONS } from '../api/catalog';
import { QueryRunner } from './context';
import {
  FetchPlan,
  describeRequests,
  fetchBuckets,
  nameKindsOf,
  planQuery,
  provisionalNotice,
  shownDims,
} from './engine';
import { collectSeries, renderFrames, shownProjects } from './frames';

/** The plan of a time series query: API keys are fetched beside their project, to name only the shown projects' keys. */
export function timeSeriesPlan(
  query: OpenAIQuery,
  fromMs: number,
  toMs: number,
  nowMs: number,
  maxDataPoints?: number
): FetchPlan {
  return planQuery(query, fromMs, toMs, nowMs, maxDataPoints, { keyProjects: true });
}

export const runTimeSeries: QueryRunner = async (ctx, query, request) => {
  const nowMs = ctx.now();
  const plan = timeSeriesPlan(
    query,
    request.range.from.valueOf(),
    request.range.to.valueOf(),
    nowMs,
    request.maxDataPoints
  );
  const kinds = nameKindsOf(shownDims(plan));
  const keys = kinds.includes('apiKey');
  // Lists start with the data. Keys are listed per project, the costly part in a large organization: those of the
  // filtered projects at once, else those of the projects the shown series come from once the data is in.
  const lists = ctx.names.resolve(kinds.filter((k) => k !== 'apiKey'));
  const filtered =
    keys && query.filters?.projectIds?.length ? ctx.names.apiKeyNames(query.filters.projectIds) : undefined;
  if (keys && !filtered) {
    // Key names need the projects list too, which does not wait for the data (a failure is reported with the keys).
    ctx.names.projects().catch(() => undefined);
  }
  const buckets = await fetchBuckets(ctx, plan);
  const collected = collectSeries({ ...plan, buckets, costByModel: query.costByModel });
  const keyNames = keys ? (filtered ?? ctx.names.apiKeyNames(shownProjects(collected, query.topN))) : undefined;
  const named: ResolvedNames[] = await Promise.all(keyNames ? [lists, keyNames] : [lists]);
  const names = Object.assign({}, ...named.map((n) => n.maps));
  const notices: QueryResultMetaNotice[] = named
    .flatMap((n) => n.warnings)
    .map((text) => ({ severity: 'warning', text }));
  const provisional = provisionalNotice(plan.def, plan.end, nowMs);
  if (provisional) {
    notices.push(provisional);
  }
  for (const g of plan.groupBy) {
    const why = DIMENSIONS[g].shownAsIds;
    if (why) {
      notices.push({ severity: 'info', text: why });
    }
  }
  return renderFrames(collected, {
    def: plan.def,
    metrics: plan.metrics,
    groupBy: plan.groupBy,
    hidden: plan.hidden,
    width: plan.width,
    buckets,
    names,
    costByModel: query.costByModel,
    legendFormat: query.legendFormat,
    topN: query.topN,
    refId: query.refId,
    notices,
    executed: describeRequests(plan),
  });
};
