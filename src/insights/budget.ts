/**
 * Month-to-date spend against a monthly budget, with a projection to month end from the recent daily run rate
 * and the moment the budget would be crossed. Spend is billed (exact); the projection is an estimate.
 */
import { DataFrame, DataFrameType, FieldType, ThresholdsMode, createDataFrame } from '@grafana/data';

import { BILLED_SOURCE } from '../api/catalog';
import { UsageBucket } from '../api/types';
import { QueryError, QueryRunner } from '../query/context';
import { costUnit, parseAmount } from '../query/values';
import { OpenAIDataSourceOptions, OpenAIQuery } from '../types';
import { microsToUsd, toMicros } from './allocate';
import { DAY_SECONDS, commonNotices, executed, fetchSource, projectIdsOf } from './fetch';

/** Complete UTC days whose mean is the run rate. */
export const RUN_RATE_DAYS = 7;

export interface DailySpend {
  /** Bucket start, Unix seconds. */
  start: number;
  micros: number;
}

export interface BudgetFigures {
  budget: number;
  monthStart: number;
  monthEnd: number;
  now: number;
  mtd: number;
  /** USD per day. */
  runRate: number;
  /** Complete days the run rate was taken over. */
  rateDays: number;
  projected: number;
  usedPercent: number;
  projectedPercent: number;
  /** Unix seconds the cumulative spend reaches the budget (actual or projected), null if not this month. */
  crossing: number | null;
  method: string;
}

/** Start and end (exclusive) of the UTC month holding `t`, Unix seconds. */
export function utcMonth(t: number): { start: number; end: number } {
  const d = new Date(t * 1000);
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000,
    end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000,
  };
}

/** First second to fetch: the month, and enough complete days before today for the run rate. */
export function budgetFetchStart(now: number): number {
  const today = Math.floor(now / DAY_SECONDS) * DAY_SECONDS;
  return Math.min(utcMonth(now).start, today - RUN_RATE_DAYS * DAY_SECONDS);
}

function day(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/** The figures from daily spend covering at least the month so far and the run-rate days. */
export function budgetFigures(days: DailySpend[], now: number, budget: number): BudgetFigures {
  const { start: monthStart, end: monthEnd } = utcMonth(now);
  const today = Math.floor(now / DAY_SECONDS) * DAY_SECONDS;
  const rateFrom = today - RUN_RATE_DAYS * DAY_SECONDS;

  const rated = days.filter((d) => d.start >= rateFrom && d.start < today);
  const rateMicros = rated.reduce((a, d) => a + d.micros, 0);
  const runRate = rated.length ? microsToUsd(rateMicros) / rated.length : 0;

  const month = days.filter((d) => d.start >= monthStart && d.start < now).sort((a, b) => a.start - b.start);
  const mtdMicros = month.reduce((a, d) => a + d.micros, 0);
  const mtd = microsToUsd(mtdMicros);
  const daysLeft = (monthEnd - now) / DAY_SECONDS;
  const projected = mtd + runRate * daysLeft;

  let crossing: number | null = null;
  if (mtd >= budget) {
    // Already crossed: within the day it happened, assuming spend was even over that day.
    let before = 0;
    for (const d of month) {
      const after = before + microsToUsd(d.micros);
      if (after >= budget && d.micros > 0) {
        const end = Math.min(d.start + DAY_SECONDS, now);
        crossing = d.start + ((budget - before) / (after - before)) * (end - d.start);
        break;
      }
      before = after;
    }
  } else if (runRate > 0) {
    const t = now + ((budget - mtd) / runRate) * DAY_SECONDS;
    crossing = t < monthEnd ? t : null;
  }

  const method = rated.length
    ? `Run rate = mean daily billed spend of the last ${rated.length} complete UTC days (${day(rateFrom)} to ${day(today - DAY_SECONDS)}), projected over the ${daysLeft.toFixed(1)} days left in the month.`
    : 'No complete day to take a run rate from yet; the projection is the spend so far.';
  return {
    budget,
    monthStart,
    monthEnd,
    now,
    mtd,
    runRate,
    rateDays: rated.length,
    projected,
    usedPercent: (mtd / budget) * 100,
    projectedPercent: (projected / budget) * 100,
    crossing,
    method,
  };
}

/** The query's budget, else the data source's; a clear error when neither is set. */
export function budgetOf(query: OpenAIQuery, settings: OpenAIDataSourceOptions): number {
  for (const value of [query.monthlyBudget, settings.monthlyBudget]) {
    if (value === undefined || value === null || (value as unknown) === '') {
      continue;
    }
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      throw new QueryError([`The monthly budget must be a positive amount in USD, not "${value}".`]);
    }
    return n;
  }
  throw new QueryError([
    'No monthly budget is set. Enter one in this query’s "Monthly budget" field, or for every query of this data source in its settings (Monthly budget).',
  ]);
}

function dailySpend(buckets: UsageBucket[]): DailySpend[] {
  return buckets.map((b) => ({
    start: b.start_time,
    micros: b.results.reduce((a, r) => a + toMicros(parseAmount(r)), 0),
  }));
}

const PERCENT_THRESHOLDS = {
  mode: ThresholdsMode.Absolute,
  steps: [
    { value: -Infinity, color: 'green' },
    { value: 80, color: 'orange' },
    { value: 100, color: 'red' },
  ],
};

/** Points of the cumulative chart: month start, each complete day's end, now, then each day boundary to month end. */
function chartFrame(f: BudgetFigures, days: DailySpend[], unit: string, refId: string): DataFrame {
  const times: number[] = [f.monthStart];
  const actual: Array<number | null> = [0];
  const projected: Array<number | null> = [null];
  let cumulative = 0;
  for (const d of days.filter((x) => x.start >= f.monthStart && x.start < f.now)) {
    cumulative += d.micros;
    const end = Math.min(d.start + DAY_SECONDS, f.now);
    times.push(end);
    actual.push(microsToUsd(cumulative));
    projected.push(end === f.now ? f.mtd : null);
  }
  for (let t = (Math.floor(f.now / DAY_SECONDS) + 1) * DAY_SECONDS; t <= f.monthEnd; t += DAY_SECONDS) {
    times.push(t);
    actual.push(null);
    projected.push(f.mtd + (f.runRate * (t - f.now)) / DAY_SECONDS);
  }
  const dashed = { custom: { lineStyle: { fill: 'dash', dash: [10, 10] } } };
  return createDataFrame({
    refId,
    name: 'Budget burn',
    meta: { type: DataFrameType.TimeSeriesWide, custom: { insight: 'budget' } },
    fields: [
      { name: 'Time', type: FieldType.time, values: times.map((t) => t * 1000) },
      { name: 'Actual spend (cumulative)', type: FieldType.number, values: actual, config: { unit } },
      {
        name: 'Projected spend (cumulative, estimate)',
        type: FieldType.number,
        values: projected,
        config: { unit, ...dashed },
      },
      {
        name: 'Budget',
        type: FieldType.number,
        values: times.map(() => f.budget),
        config: { unit, ...dashed },
      },
    ].map(named),
  });
}

/**
 * Each field keeps its own name in any panel: with a second frame in the panel Grafana would otherwise prefix it
 * with the frame's name, and a panel's field filter written for the plain name would match nothing.
 */
function named<T extends { name: string; config?: object }>(field: T): T {
  return { ...field, config: { ...field.config, displayNameFromDS: field.name } };
}

export const runBudget: QueryRunner = async (ctx, query) => {
  const budget = budgetOf(query, ctx.settings);
  const nowMs = ctx.now();
  const now = Math.floor(nowMs / 1000);
  const costs = await fetchSource(ctx, {
    source: BILLED_SOURCE,
    groupBy: [],
    width: '1d',
    projectIds: projectIdsOf(query),
    fromMs: budgetFetchStart(now) * 1000,
    toMs: now * 1000,
  });
  const days = dailySpend(costs.buckets);
  const f = budgetFigures(days, now, budget);
  const unit = costUnit(costs.buckets);

  const notices = commonNotices(undefined, costs.plan.end, nowMs);
  notices.push({
    severity: 'info',
    text: `Month to date = billed spend since ${day(f.monthStart)} (UTC), whatever the dashboard's time range. Projection (estimate): ${f.method}`,
  });
  const summary = createDataFrame({
    refId: query.refId,
    name: 'Budget',
    meta: {
      notices,
      executedQueryString: executed(costs),
      custom: { insight: 'budget', budgetSource: query.monthlyBudget ? 'query' : 'data source' },
    },
    fields: [
      { name: 'Month-to-date spend', type: FieldType.number, values: [f.mtd], config: { unit } },
      { name: 'Monthly budget', type: FieldType.number, values: [f.budget], config: { unit } },
      { name: 'Projected month-end spend', type: FieldType.number, values: [f.projected], config: { unit } },
      {
        name: 'Budget used',
        type: FieldType.number,
        values: [f.usedPercent],
        config: { unit: 'percent', min: 0, max: 100, decimals: 1, thresholds: PERCENT_THRESHOLDS },
      },
      {
        name: 'Projected budget use',
        type: FieldType.number,
        values: [f.projectedPercent],
        config: { unit: 'percent', min: 0, max: 100, decimals: 1, thresholds: PERCENT_THRESHOLDS },
      },
      {
        // A moment shown as a date, but not a time field: a frame with one would be drawn in a time series panel.
        name: 'Budget crossed at',
        type: FieldType.number,
        values: [f.crossing === null ? null : f.crossing * 1000],
        config: { unit: 'dateTimeAsIso', noValue: 'Not this month' },
      },
      { name: 'Run rate per day', type: FieldType.number, values: [f.runRate], config: { unit } },
      { name: 'Projection method', type: FieldType.string, values: [f.method] },
    ].map(named),
  });
  return [summary, chartFrame(f, days, unit, query.refId)];
};
