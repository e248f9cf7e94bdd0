/** Checks of a query against the endpoint catalog and the API's limits, before any request is sent. */
import {
  BILLED_SOURCE,
  BUCKET_SECONDS,
  BucketWidth,
  DIMENSIONS,
  ENDPOINTS,
  FILTERS,
  FilterKey,
  findMetric,
} from '../api/catalog';
import { OpenAIQuery } from '../types';
import { countBuckets, MAX_BUCKETS } from './plan';

/** Problems of a time series query against the endpoint catalog, in words a user can act on. */
export function checkTimeSeriesQuery(query: OpenAIQuery): string[] {
  const problems: string[] = [];
  const def = query.source ? ENDPOINTS[query.source] : undefined;
  if (!def) {
    return [query.source ? `Unknown source "${query.source}". Choose one from the list.` : 'Choose a source.'];
  }
  for (const m of query.metrics ?? []) {
    if (!findMetric(def, m)) {
      problems.push(`${def.label} has no metric "${m}".`);
    }
  }
  for (const g of query.groupBy ?? []) {
    if (!def.groupBy.includes(g)) {
      problems.push(
        `${def.label} cannot be grouped by ${DIMENSIONS[g]?.label ?? g}; it accepts ${def.groupBy.map((d) => DIMENSIONS[d].label).join(', ')}.`
      );
    }
  }
  for (const [key, value] of Object.entries(query.filters ?? {}) as Array<[FilterKey, unknown]>) {
    const empty = value === undefined || (Array.isArray(value) && value.length === 0);
    if (!empty && !def.filters.includes(key)) {
      problems.push(`${def.label} cannot be filtered by ${FILTERS[key]?.label ?? key}.`);
    }
  }
  const width = query.bucketWidth;
  if (width && width !== 'auto' && !def.bucketWidths.includes(width)) {
    problems.push(`${def.label} supports only ${def.bucketWidths.join(', ')} buckets, not ${width}.`);
  }
  if (query.costByModel && !def.costByModel) {
    problems.push(`Cost by model applies only to the ${ENDPOINTS[BILLED_SOURCE].label} source.`);
  }
  return problems;
}

/** Problems of the time range for a resolved bucket width, caught before any request. */
export function checkRange(start: number, end: number, width: BucketWidth, now: number): string[] {
  if (!(end > start)) {
    return ['The time range is empty.'];
  }
  if (start >= now) {
    return ['The time range starts in the future: OpenAI has no usage there yet.'];
  }
  const buckets = countBuckets(start, Math.min(end, now + BUCKET_SECONDS[width]), width);
  if (buckets > MAX_BUCKETS) {
    return [
      `${width} buckets over this range would be ${buckets.toLocaleString('en-US')} points per series (at most ${MAX_BUCKETS.toLocaleString('en-US')}): choose a wider bucket, Auto, or a shorter range.`,
    ];
  }
  return [];
}
