/**
 * Prompt caching: the cached share of input tokens over time (exact, from completions usage), and the money it
 * saved (an estimate: effective prices per token from the day's `<model>, input` and `<model>, cached input`
 * line items, applied to the cached tokens).
 */
import { BILLED_SOURCE, BUCKET_SECONDS, GroupByKey } from '../api/catalog';
import { UsageBucket, UsageResult } from '../api/types';
import { QueryRunner } from '../query/context';
import { parseLineItem } from '../query/lineItems';
import { ResolvedNames } from '../org/directory';
import { costUnit, dimValue, parseAmount } from '../query/values';
import { microsToUsd, toMicros } from './allocate';
import { DAY_SECONDS, NAME_LABEL, commonNotices, executed, fetchSource, nameOf, projectIdsOf } from './fetch';
import { InsightSeries, seriesFrames } from './series';
import { tokensFor } from './tokenTypes';

function num(r: UsageResult, field: string): number {
  const v = Number(r[field] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

interface Group {
  labels: Record<string, string>;
  display: string;
}

function groupOf(r: UsageResult, model: string, byProject: boolean, names: ResolvedNames | undefined): [string, Group] {
  const project = byProject ? dimValue(r.project_id) : null;
  const labels: Record<string, string> = { model };
  const display = [model];
  if (byProject) {
    labels.project_id = project ?? '';
    labels[NAME_LABEL.project] = nameOf(names, 'project', project);
    display.push(labels[NAME_LABEL.project]);
  }
  return [JSON.stringify([model, project]), { labels, display: display.join(' · ') }];
}

/** Cached share per bucket and group: input_cached_tokens / input_tokens, null where there was no input. */
export function cacheShare(buckets: UsageBucket[], byProject: boolean, names?: ResolvedNames): InsightSeries[] {
  const acc = new Map<string, Group & { input: number[]; cached: number[] }>();
  buckets.forEach((b, i) => {
    for (const r of b.results) {
      const model = dimValue(r.model) ?? '';
      const [key, group] = groupOf(r, model, byProject, names);
      let s = acc.get(key);
      if (!s) {
        s = { ...group, input: new Array(buckets.length).fill(0), cached: new Array(buckets.length).fill(0) };
        acc.set(key, s);
      }
      s.input[i] += num(r, 'input_tokens');
      s.cached[i] += num(r, 'input_cached_tokens');
    }
  });
  return [...acc.values()].map((s) => ({
    labels: s.labels,
    display: `${s.display || '(no model)'} · cached share`,
    values: s.input.map((input, i) => (input > 0 ? s.cached[i] / input : null)),
    total: s.input.reduce((a, b) => a + b, 0),
  }));
}

/**
 * Money saved by caching per day and group: cached tokens × (uncached price − cached price), each price the
 * day's line item cost over the tokens it bills. Null where either price is missing.
 */
export function cacheSavings(
  costs: UsageBucket[],
  usage: UsageBucket[],
  byProject: boolean,
  names?: ResolvedNames
): InsightSeries[] {
  const usageByDay = new Map(usage.map((b) => [b.start_time, b]));
  const acc = new Map<string, Group & { saved: Array<number | null> }>();
  costs.forEach((bucket, i) => {
    const day = new Map<
      string,
      Group & { inputMicros: number; cachedMicros: number; inputTokens: number; cachedTokens: number }
    >();
    const entry = (r: UsageResult, model: string) => {
      const [key, group] = groupOf(r, model, byProject, names);
      let e = day.get(key);
      if (!e) {
        e = { ...group, inputMicros: 0, cachedMicros: 0, inputTokens: 0, cachedTokens: 0 };
        day.set(key, e);
      }
      return e;
    };
    for (const r of bucket.results) {
      const { model, tokenType } = parseLineItem(r.line_item);
      const type = tokenType.trim().toLowerCase();
      if (model && (type === 'input' || type === 'cached input')) {
        const e = entry(r, model);
        e[type === 'input' ? 'inputMicros' : 'cachedMicros'] += toMicros(parseAmount(r));
      }
    }
    for (const r of usageByDay.get(bucket.start_time)?.results ?? []) {
      const model = dimValue(r.model);
      if (model) {
        const e = entry(r, model);
        e.inputTokens += tokensFor('input', r) ?? 0;
        e.cachedTokens += tokensFor('cached input', r) ?? 0;
      }
    }
    day.forEach((e, key) => {
      if (!(e.inputMicros > 0 && e.cachedMicros > 0 && e.inputTokens > 0 && e.cachedTokens > 0)) {
        return;
      }
      const uncachedPrice = microsToUsd(e.inputMicros) / e.inputTokens;
      const cachedPrice = microsToUsd(e.cachedMicros) / e.cachedTokens;
      let s = acc.get(key);
      if (!s) {
        s = { labels: e.labels, display: e.display, saved: new Array(costs.length).fill(null) };
        acc.set(key, s);
      }
      s.saved[i] = e.cachedTokens * (uncachedPrice - cachedPrice);
    });
  });
  return [...acc.values()].map((s) => ({
    labels: { ...s.labels, estimate: 'true' },
    display: `${s.display} · saved by caching (estimate)`,
    values: s.saved,
    total: s.saved.reduce<number>((a, b) => a + (b ?? 0), 0),
  }));
}

export const runCacheEfficiency: QueryRunner = async (ctx, query, request) => {
  const nowMs = ctx.now();
  const byProject = Boolean(query.byProject);
  const range = {
    fromMs: request.range.from.valueOf(),
    toMs: request.range.to.valueOf(),
    projectIds: projectIdsOf(query),
  };
  // Grouped by batch like the savings' usage, so at 1d both are one request (the client shares identical requests).
  const usageGroupBy: GroupByKey[] = ['model', 'batch', ...(byProject ? ['project_id' as const] : [])];
  const costGroupBy: GroupByKey[] = ['line_item', ...(byProject ? ['project_id' as const] : [])];
  const [share, dailyUsage, costs, names] = await Promise.all([
    fetchSource(ctx, {
      ...range,
      source: 'completions',
      groupBy: usageGroupBy,
      width: query.bucketWidth ?? 'auto',
      maxDataPoints: request.maxDataPoints,
    }),
    fetchSource(ctx, { ...range, source: 'completions', groupBy: usageGroupBy, width: '1d' }),
    fetchSource(ctx, { ...range, source: BILLED_SOURCE, groupBy: costGroupBy, width: '1d' }),
    byProject ? ctx.names.resolve(['project']) : Promise.resolve(undefined),
  ]);

  const notices = commonNotices(names, costs.plan.end, nowMs);
  notices.push({
    severity: 'info',
    text: 'Cached share = cached input tokens / input tokens (completions usage, exact; empty where there was no input). Saved by caching is an estimate: cached tokens × (uncached − cached price per token), prices taken each day from the "<model>, input" and "<model>, cached input" line items over the tokens they bill; days without both are left empty.',
  });
  const shareFrames = seriesFrames({
    refId: query.refId,
    insight: 'cacheEfficiency',
    times: share.buckets.map((b) => b.start_time * 1000),
    intervalMs: BUCKET_SECONDS[share.plan.width] * 1000,
    fieldName: 'Cached share of input',
    unit: 'percentunit',
    series: cacheShare(share.buckets, byProject, names),
    legendFormat: query.legendFormat,
    notices,
    executed: executed(share, dailyUsage, costs),
    empty: 'No completions usage in this time range.',
  });
  const savings = cacheSavings(costs.buckets, dailyUsage.buckets, byProject, names);
  const savingFrames = savings.length
    ? seriesFrames({
        refId: query.refId,
        insight: 'cacheEfficiency',
        times: costs.buckets.map((b) => b.start_time * 1000),
        intervalMs: DAY_SECONDS * 1000,
        fieldName: 'Saved by caching (estimate)',
        unit: costUnit(costs.buckets),
        series: savings,
        notices: [],
        empty: '',
      })
    : [];
  return [...shareFrames, ...savingFrames];
};
