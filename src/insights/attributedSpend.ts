/**
 * Billed spend attributed to users or API keys: an estimate, since the costs endpoint cannot group by user.
 * See attribution.ts for the method; the unallocated rest is its own series so the total stays the bill.
 */
import { DataQueryRequest } from '@grafana/data';

import { BILLED_SOURCE, DIMENSIONS, GroupByKey } from '../api/catalog';
import { QueryContext, QueryError, QueryRunner } from '../query/context';
import { costUnit } from '../query/values';
import { OpenAIQuery } from '../types';
import { microsToUsd } from './allocate';
import { DayAttribution, Principal, UNALLOCATED_REASONS, UnallocatedReason, attributeCosts } from './attribution';
import { DAY_SECONDS, Fetched, NAME_LABEL, commonNotices, executed, fetchSource, nameOf, projectIdsOf } from './fetch';
import { InsightSeries, seriesFrames } from './series';

export const ESTIMATE = 'attributed (estimate)';
export const UNALLOCATED = 'unallocated';

export const METHOD_TEXT =
  'Attributed spend is an estimate: the costs endpoint cannot group by user or API key, so each day the billed cost of every line item of a model in a project (input, cached input, output, batch input, batch output) is split among the users or keys that used that model in that project that day, in proportion to the tokens that line item bills. The parts add up exactly to the bill; what finds no usage is shown as "unallocated".';

export function principalOf(query: OpenAIQuery): Principal {
  const by = query.attributeTo ?? 'user_id';
  if (by !== 'user_id' && by !== 'api_key_id') {
    throw new QueryError([
      `Attributed spend is per user or per API key, not "${String(by)}". Choose one in the editor.`,
    ]);
  }
  return by;
}

export interface AttributionData {
  days: DayAttribution[];
  costs: Fetched;
  usage: Fetched;
}

/** Daily costs by project and line item, and completions usage by project, model, batch and principal, over one range. */
export async function fetchAttribution(
  ctx: QueryContext,
  query: OpenAIQuery,
  request: Pick<DataQueryRequest<OpenAIQuery>, 'range'>,
  by: Principal | null
): Promise<AttributionData> {
  const range = {
    fromMs: request.range.from.valueOf(),
    toMs: request.range.to.valueOf(),
    projectIds: projectIdsOf(query),
  };
  const usageGroupBy: GroupByKey[] = ['project_id', 'model', 'batch', ...(by ? [by] : [])];
  const [costs, usage] = await Promise.all([
    fetchSource(ctx, { ...range, source: BILLED_SOURCE, groupBy: ['project_id', 'line_item'], width: '1d' }),
    fetchSource(ctx, { ...range, source: 'completions', groupBy: usageGroupBy, width: '1d' }),
  ]);
  return { days: attributeCosts(costs.buckets, usage.buckets, by), costs, usage };
}

export function describeUnallocated(days: DayAttribution[]): string | undefined {
  const totals: Record<UnallocatedReason, number> = { notPerModel: 0, notPerToken: 0, noUsage: 0, noTokens: 0 };
  days.forEach((d) => (Object.keys(totals) as UnallocatedReason[]).forEach((k) => (totals[k] += d.unallocatedBy[k])));
  const parts = (Object.keys(totals) as UnallocatedReason[])
    .filter((k) => totals[k] !== 0)
    .map((k) => `$${microsToUsd(totals[k]).toFixed(2)} of ${UNALLOCATED_REASONS[k]}`);
  return parts.length ? `Unallocated: ${parts.join('; ')}.` : undefined;
}

export const runAttributedSpend: QueryRunner = async (ctx, query, request) => {
  const nowMs = ctx.now();
  const by = principalOf(query);
  const kind = DIMENSIONS[by].nameKind!;
  const [data, names] = await Promise.all([fetchAttribution(ctx, query, request, by), ctx.names.resolve([kind])]);
  const { days } = data;

  const perPrincipal = new Map<string | null, number[]>();
  days.forEach((d, i) =>
    d.byPrincipal.forEach((micros, p) => {
      let values = perPrincipal.get(p);
      if (!values) {
        values = new Array(days.length).fill(0);
        perPrincipal.set(p, values);
      }
      values[i] += micros;
    })
  );
  const nameLabel = NAME_LABEL[kind];
  const series: InsightSeries[] = [...perPrincipal.entries()].map(([id, micros]) => {
    const name = nameOf(names, kind, id);
    return {
      labels: { [by]: id ?? '', [nameLabel]: name, estimate: 'true' },
      display: `${name} · ${ESTIMATE}`,
      values: micros.map(microsToUsd),
      total: micros.reduce((a, b) => a + b, 0),
    };
  });
  if (days.some((d) => d.unallocated !== 0)) {
    const micros = days.map((d) => d.unallocated);
    series.push({
      labels: { [by]: '', [nameLabel]: UNALLOCATED, unallocated: 'true' },
      display: UNALLOCATED,
      values: micros.map(microsToUsd),
      total: micros.reduce((a, b) => a + b, 0),
      last: true,
    });
  }

  const notices = commonNotices(names, data.costs.plan.end, nowMs);
  notices.push({ severity: 'info', text: METHOD_TEXT });
  const unallocated = describeUnallocated(days);
  if (unallocated) {
    notices.push({ severity: 'info', text: unallocated });
  }
  return seriesFrames({
    refId: query.refId,
    insight: 'attributedSpend',
    times: days.map((d) => d.start * 1000),
    intervalMs: DAY_SECONDS * 1000,
    fieldName: `Spend, ${ESTIMATE}`,
    unit: costUnit(data.costs.buckets),
    series,
    legendFormat: query.legendFormat,
    notices,
    executed: executed(data.costs, data.usage),
    empty: 'No billed costs in this time range.',
  });
};
