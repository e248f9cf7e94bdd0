import { DIMENSIONS, ENDPOINTS, FILTERS, FilterKey, SourceId, findMetric } from '../../api/catalog';
import { OpenAIQuery, QueryFilters } from '../../types';

const WIDTH_LABELS: Record<string, string> = { '1m': '1 minute', '1h': '1 hour', '1d': '1 day' };

export interface SourceChange {
  query: OpenAIQuery;
  /** Human-readable choices that the new source does not support and were removed. */
  dropped: string[];
}

/** Switches the source and drops every choice the new endpoint does not accept, saying which. */
export function changeSource(query: OpenAIQuery, source: SourceId): SourceChange {
  const def = ENDPOINTS[source];
  const dropped: string[] = [];

  const metrics = (query.metrics ?? []).filter((m) => {
    const ok = Boolean(findMetric(def, m));
    if (!ok) {
      dropped.push(`metric ${metricLabel(query.source, m)}`);
    }
    return ok;
  });

  const groupBy = (query.groupBy ?? []).filter((g) => {
    const ok = def.groupBy.includes(g);
    if (!ok) {
      dropped.push(`group by ${DIMENSIONS[g]?.label ?? g}`);
    }
    return ok;
  });

  const filters: QueryFilters = {};
  for (const [key, value] of Object.entries(query.filters ?? {}) as Array<[FilterKey, unknown]>) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      continue;
    }
    if (def.filters.includes(key)) {
      (filters as Record<string, unknown>)[key] = value;
    } else {
      dropped.push(`filter ${FILTERS[key]?.label ?? key}`);
    }
  }

  let bucketWidth = query.bucketWidth;
  if (bucketWidth && bucketWidth !== 'auto' && !def.bucketWidths.includes(bucketWidth)) {
    dropped.push(`bucket width ${WIDTH_LABELS[bucketWidth] ?? bucketWidth}`);
    bucketWidth = 'auto';
  }

  const next: OpenAIQuery = { ...query, source, metrics, groupBy, filters, bucketWidth };
  if (!def.costByModel && query.costByModel) {
    dropped.push('cost by model');
  }
  if (!def.costByModel) {
    delete next.costByModel;
  }
  return { query: next, dropped };
}

function metricLabel(source: SourceId | undefined, field: string): string {
  const def = source ? ENDPOINTS[source] : undefined;
  return (def && findMetric(def, field)?.label) ?? field;
}

export function describeDrop(source: SourceId, dropped: string[]): string {
  return `${ENDPOINTS[source].label} does not support ${joinList(dropped)}, so ${
    dropped.length === 1 ? 'it was' : 'they were'
  } removed.`;
}

function joinList(items: string[]): string {
  if (items.length <= 1) {
    return items.join('');
  }
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
