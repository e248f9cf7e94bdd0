/**
 * Billed spend per model (and per token type): cost line items parsed into model and token type. Every dollar
 * comes from the costs endpoint, so the series add up to the bill exactly.
 */
import { BILLED_SOURCE, GroupByKey } from '../api/catalog';
import { QueryRunner } from '../query/context';
import { NOT_PER_MODEL, parseLineItem } from '../query/lineItems';
import { costUnit, dimValue, parseAmount } from '../query/values';
import { microsToUsd, toMicros } from './allocate';
import { DAY_SECONDS, NAME_LABEL, commonNotices, executed, fetchSource, nameOf, projectIdsOf } from './fetch';
import { InsightSeries, seriesFrames } from './series';

export const runSpendByModel: QueryRunner = async (ctx, query, request) => {
  const nowMs = ctx.now();
  const byProject = Boolean(query.byProject);
  // Grouping by line item keeps the token type apart: one series per model and token type.
  const byTokenType = Boolean(query.byTokenType);
  const groupBy: GroupByKey[] = byProject ? ['line_item', 'project_id'] : ['line_item'];
  const [costs, names] = await Promise.all([
    fetchSource(ctx, {
      source: BILLED_SOURCE,
      groupBy,
      width: '1d',
      projectIds: projectIdsOf(query),
      fromMs: request.range.from.valueOf(),
      toMs: request.range.to.valueOf(),
    }),
    byProject ? ctx.names.resolve(['project']) : Promise.resolve(undefined),
  ]);

  const n = costs.buckets.length;
  const series = new Map<string, { labels: Record<string, string>; display: string; micros: number[] }>();
  costs.buckets.forEach((bucket, i) => {
    for (const r of bucket.results) {
      const { model, tokenType } = parseLineItem(r.line_item);
      const project = byProject ? dimValue(r.project_id) : null;
      const key = JSON.stringify([model, byTokenType ? tokenType : null, project]);
      let s = series.get(key);
      if (!s) {
        const labels: Record<string, string> = { model: model ?? '' };
        const display: string[] = [model ?? (byTokenType ? tokenType : NOT_PER_MODEL)];
        if (byTokenType) {
          labels.token_type = tokenType;
          if (model) {
            display.push(tokenType);
          }
        }
        if (byProject) {
          labels.project_id = project ?? '';
          labels[NAME_LABEL.project] = nameOf(names, 'project', project);
          display.push(labels[NAME_LABEL.project]);
        }
        s = { labels, display: display.join(' · '), micros: new Array(n).fill(0) };
        series.set(key, s);
      }
      s.micros[i] += toMicros(parseAmount(r));
    }
  });

  const out: InsightSeries[] = [...series.values()].map((s) => ({
    labels: s.labels,
    display: s.display,
    values: s.micros.map(microsToUsd),
    total: s.micros.reduce((a, b) => a + b, 0),
    last: s.labels.model === '',
  }));
  const notices = commonNotices(names, costs.plan.end, nowMs);
  notices.push({
    severity: 'info',
    text: `Billed spend from cost line items (e.g. "gpt-4o-2024-08-06, output"), split into model and token type: exact, it adds up to the bill. Items not billed per model (tool calls, storage) are shown ${byTokenType ? 'by their line item' : `as "${NOT_PER_MODEL}"`}.`,
  });
  return seriesFrames({
    refId: query.refId,
    insight: 'spendByModel',
    times: costs.buckets.map((b) => b.start_time * 1000),
    intervalMs: DAY_SECONDS * 1000,
    fieldName: 'Billed spend',
    unit: costUnit(costs.buckets),
    series: out,
    legendFormat: query.legendFormat,
    notices,
    executed: executed(costs),
    empty: 'No billed costs in this time range.',
  });
};
