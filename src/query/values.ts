/**
 * Reading values out of usage and costs results, and the unit they are in: one rule for every caller (frames,
 * recent buckets, insights). How a metric is held (a count or money) comes from the catalog.
 */
import { BILLED_SOURCE, ENDPOINTS, MetricDef } from '../api/catalog';
import { ApiError } from '../api/errors';
import { UsageBucket, UsageResult } from '../api/types';
import { compactRows, currenciesIn } from './compact';

/** A money field: `value` a number or a decimal string, `currency` e.g. `usd`. */
type Money = { value?: unknown; currency?: string | null } | null | undefined;

/** The billed metric of the costs source; insights read every dollar through it. */
const BILLED: MetricDef = ENDPOINTS[BILLED_SOURCE].metrics.find((m) => m.value === 'money')!;

/** A money value arrives as a number or as a decimal string; anything else is refused, never counted as 0. */
function moneyValue(r: UsageResult, m: MetricDef): number {
  const money = r[m.field] as Money;
  const value = money?.value;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) {
    throw new ApiError('malformed', `A cost result has no readable ${m.field} (${JSON.stringify(money ?? null)}).`);
  }
  return n;
}

/** A metric of one result; a missing count is 0, and a value that is not a number is refused. */
export function metricValue(r: UsageResult, m: MetricDef): number {
  if (m.value === 'money') {
    return moneyValue(r, m);
  }
  const v = r[m.field];
  if (v === undefined || v === null) {
    // Older data and organizations omit the newer token breakdown fields.
    return 0;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n)) {
    throw new ApiError('malformed', `The field ${m.field} is not a number (${JSON.stringify(v)}).`);
  }
  return n;
}

/** The billed amount of a cost result. */
export function parseAmount(r: UsageResult): number {
  return metricValue(r, BILLED);
}

/** The currency a money result names, upper case; null when it names none. */
export function currencyOf(r: UsageResult, m: MetricDef): string | null {
  return currencyName((r[m.field] as Money)?.currency);
}

function currencyName(currency: unknown): string | null {
  return currency ? String(currency).toUpperCase() : null;
}

/**
 * Grafana unit of a metric over these buckets. Money takes the currency any result names (results without one
 * say nothing). If results name different currencies, no currency unit is right for the sum, so the unit is
 * `none` (a plain number) rather than a wrong currency; OpenAI bills an organization in one currency.
 */
export function unitOf(metric: MetricDef, buckets: UsageBucket[]): string {
  if (metric.value !== 'money') {
    return metric.unit;
  }
  let found: string | null = null;
  for (const b of buckets) {
    // Kept windows name their currencies in their columns: no result object is built for this.
    const rows = compactRows(b);
    const named =
      (rows && currenciesIn(rows, metric.field)) ?? b.results.map((r) => (r[metric.field] as Money)?.currency);
    for (const name of named) {
      const currency = currencyName(name);
      if (currency && found && currency !== found) {
        return 'none';
      }
      found = currency ?? found;
    }
  }
  return found ? `currency${found}` : metric.unit;
}

/** Unit of billed costs over these buckets. */
export function costUnit(buckets: UsageBucket[]): string {
  return unitOf(BILLED, buckets);
}

/** A dimension's value as text; missing, null and the empty string all mean "no value". */
export function dimValue(v: unknown): string | null {
  return v === undefined || v === null || v === '' ? null : String(v);
}
