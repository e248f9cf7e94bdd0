/** Usage and costs as time series: the engine's plan and buckets, names resolved, built into frames. */
import { QueryResultMetaNotice } from '@grafana/data';

import { DIMENSIONS } from '../api/catalog';
import { QueryRunner } from './context';
import { describeRequests, fetchBuckets, nameKindsOf, planQuery, provisionalNotice } from './engine';
import { buildFrames } from './frames';

export const runTimeSeries: QueryRunner = async (ctx, query, request) => {
  const nowMs = ctx.now();
  const plan = planQuery(query, request.range.from.valueOf(), request.range.to.valueOf(), nowMs, request.maxDataPoints);
  const [buckets, names] = await Promise.all([fetchBuckets(ctx, plan), ctx.names.resolve(nameKindsOf(plan.groupBy))]);
  const notices: QueryResultMetaNotice[] = names.warnings.map((text) => ({ severity: 'warning', text }));
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
