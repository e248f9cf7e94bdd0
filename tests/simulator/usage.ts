/**
 * The bucketed endpoints: /v1/organization/usage/* and /v1/organization/costs. Parameters, limits, group_by
 * values, filters and result shapes follow OpenAI's published spec for each endpoint.
 */
import type { SourceId } from '../../src/api/catalog';
import { ApiError, invalidValue, parseBoolean, parseInteger, parseLimit, requireInteger, Query } from './http';
import { microsToUsd, SOURCE_DIMENSIONS, SOURCE_METRICS, type DimValue, type SimOrg, type UsageSourceId } from './org';

type Width = '1m' | '1h' | '1d';
const WIDTH_SECONDS: Record<Width, number> = { '1m': 60, '1h': 3600, '1d': 86400 };

interface FilterSpec {
  /** Result dimension the filter applies to. */
  field: string;
  kind: 'ids' | 'enum' | 'boolean';
  options?: string[];
}

export interface BucketEndpointSpec {
  source: SourceId;
  path: string;
  resultObject: string;
  widths: Width[];
  limits: Partial<Record<Width, { default: number; max: number }>>;
  groupBy: string[];
  /** Query parameter → filter. */
  filters: Record<string, FilterSpec>;
}

const USAGE_LIMITS = {
  '1m': { default: 60, max: 1440 },
  '1h': { default: 24, max: 168 },
  '1d': { default: 7, max: 31 },
};
const IDS = (field: string): FilterSpec => ({ field, kind: 'ids' });
const PEOPLE_FILTERS = { project_ids: IDS('project_id'), user_ids: IDS('user_id'), api_key_ids: IDS('api_key_id') };
const PEOPLE = ['project_id', 'user_id', 'api_key_id'];

function usageSpec(
  source: UsageSourceId,
  resultName: string,
  groupBy: string[],
  filters: Record<string, FilterSpec>
): BucketEndpointSpec {
  return {
    source,
    path: `/v1/organization/usage/${source}`,
    resultObject: `organization.usage.${resultName}.result`,
    widths: ['1m', '1h', '1d'],
    limits: USAGE_LIMITS,
    groupBy,
    filters,
  };
}

/** Per-endpoint parameters, as the spec lists them. */
export const BUCKET_ENDPOINTS: Record<SourceId, BucketEndpointSpec> = {
  completions: usageSpec('completions', 'completions', [...PEOPLE, 'model', 'batch', 'service_tier'], {
    ...PEOPLE_FILTERS,
    models: IDS('model'),
    batch: { field: 'batch', kind: 'boolean' },
  }),
  embeddings: usageSpec('embeddings', 'embeddings', [...PEOPLE, 'model'], { ...PEOPLE_FILTERS, models: IDS('model') }),
  moderations: usageSpec('moderations', 'moderations', [...PEOPLE, 'model'], {
    ...PEOPLE_FILTERS,
    models: IDS('model'),
  }),
  images: usageSpec('images', 'images', [...PEOPLE, 'model', 'size', 'source'], {
    sources: { field: 'source', kind: 'enum', options: ['image.generation', 'image.edit', 'image.variation'] },
    sizes: { field: 'size', kind: 'enum', options: ['256x256', '512x512', '1024x1024', '1792x1792', '1024x1792'] },
    ...PEOPLE_FILTERS,
    models: IDS('model'),
  }),
  audio_speeches: usageSpec('audio_speeches', 'audio_speeches', [...PEOPLE, 'model'], {
    ...PEOPLE_FILTERS,
    models: IDS('model'),
  }),
  audio_transcriptions: usageSpec('audio_transcriptions', 'audio_transcriptions', [...PEOPLE, 'model'], {
    ...PEOPLE_FILTERS,
    models: IDS('model'),
  }),
  vector_stores: usageSpec('vector_stores', 'vector_stores', ['project_id'], { project_ids: IDS('project_id') }),
  code_interpreter_sessions: usageSpec('code_interpreter_sessions', 'code_interpreter_sessions', ['project_id'], {
    project_ids: IDS('project_id'),
  }),
  file_search_calls: usageSpec('file_search_calls', 'file_searches', [...PEOPLE, 'vector_store_id'], {
    ...PEOPLE_FILTERS,
    vector_store_ids: IDS('vector_store_id'),
  }),
  web_search_calls: usageSpec('web_search_calls', 'web_searches', [...PEOPLE, 'model', 'context_level'], {
    ...PEOPLE_FILTERS,
    models: IDS('model'),
    context_levels: { field: 'context_level', kind: 'enum', options: ['low', 'medium', 'high'] },
  }),
  costs: {
    source: 'costs',
    path: '/v1/organization/costs',
    resultObject: 'organization.costs.result',
    widths: ['1d'],
    limits: { '1d': { default: 7, max: 180 } },
    groupBy: ['project_id', 'line_item', 'api_key_id'],
    filters: { project_ids: IDS('project_id'), api_key_ids: IDS('api_key_id') },
  },
};

export const BUCKET_PATHS = new Map(Object.values(BUCKET_ENDPOINTS).map((s) => [s.path, s]));

export interface BucketOptions {
  amountAsString: boolean;
}

interface Bucket {
  start: number;
  end: number;
}

type Filter = (dims: Record<string, DimValue>) => boolean;

export function encodeCursor(startTime: number, next: number): string {
  const buf = Buffer.alloc(16);
  buf.writeBigUInt64BE(BigInt(startTime), 0);
  buf.writeBigUInt64BE(BigInt(next), 8);
  return `page_${buf.toString('base64')}`;
}

function decodeCursor(page: string, startTime: number): number {
  const invalid = () =>
    new ApiError(
      400,
      `Invalid value for 'page': '${page}' is not a valid page cursor.`,
      'invalid_request_error',
      'page',
      'invalid_value'
    );
  if (!page.startsWith('page_')) {
    throw invalid();
  }
  const buf = Buffer.from(page.slice(5), 'base64');
  if (buf.length !== 16) {
    throw invalid();
  }
  // A cursor only continues the query it came from.
  if (Number(buf.readBigUInt64BE(0)) !== startTime) {
    throw invalid();
  }
  return Number(buf.readBigUInt64BE(8));
}

export function handleBuckets(spec: BucketEndpointSpec, q: Query, org: SimOrg, opts: BucketOptions): unknown {
  const start = requireInteger(q, 'start_time');
  if (start < 0) {
    throw new ApiError(
      400,
      `Invalid value for 'start_time': ${start}. It must be a Unix timestamp in seconds.`,
      'invalid_request_error',
      'start_time',
      'invalid_value'
    );
  }
  const endParam = parseInteger(q, 'end_time');
  const width = (q.get('bucket_width') ?? '1d') as Width;
  if (!spec.widths.includes(width)) {
    throw invalidValue('bucket_width', width, spec.widths);
  }
  const lim = spec.limits[width]!;
  const limit = parseLimit(q, lim.default, lim.max, ` for bucket_width '${width}'`);
  if (endParam !== undefined && endParam <= start) {
    throw new ApiError(
      400,
      `Invalid value for 'end_time': it must be greater than 'start_time'.`,
      'invalid_request_error',
      'end_time',
      'invalid_value'
    );
  }
  const groupBy = q.all('group_by');
  for (const g of groupBy) {
    if (!spec.groupBy.includes(g)) {
      throw invalidValue('group_by', g, spec.groupBy);
    }
  }
  const filters = buildFilters(spec, q);

  const w = WIDTH_SECONDS[width];
  const now = org.now();
  // The last bucket ends at end_time, or at the request time when that is earlier.
  const stop = Math.min(endParam ?? now, now);
  const page = q.get('page');
  const cursor = page ? decodeCursor(page, start) : start;
  if (page && (cursor < start || cursor >= stop || (cursor !== start && cursor % w !== 0))) {
    throw new ApiError(
      400,
      `Invalid value for 'page': '${page}' is not a valid page cursor.`,
      'invalid_request_error',
      'page',
      'invalid_value'
    );
  }

  const buckets: Bucket[] = [];
  let s = cursor;
  while (buckets.length < limit && s < stop) {
    const e = Math.min((Math.floor(s / w) + 1) * w, stop);
    buckets.push({ start: s, end: e });
    s = e;
  }
  const hasMore = s < stop;

  let results: Array<Array<Record<string, unknown>>> = [];
  if (buckets.length) {
    if (spec.source === 'costs') {
      results = costResults(org, buckets, groupBy, filters, opts);
    } else if (spec.source === 'vector_stores') {
      results = vectorStoreResults(org, spec, buckets, groupBy, filters);
    } else {
      results = eventResults(org, spec, spec.source, buckets, groupBy, filters);
    }
  }
  return {
    object: 'page',
    data: buckets.map((b, i) => ({
      object: 'bucket',
      start_time: b.start,
      end_time: b.end,
      results: results[i] ?? [],
    })),
    has_more: hasMore,
    next_page: hasMore ? encodeCursor(start, s) : null,
  };
}

function buildFilters(spec: BucketEndpointSpec, q: Query): Filter[] {
  const out: Filter[] = [];
  // Parameters this endpoint does not define are ignored, like any unknown query parameter.
  for (const [param, f] of Object.entries(spec.filters)) {
    if (f.kind === 'boolean') {
      const b = parseBoolean(q, param);
      if (b !== undefined) {
        out.push((d) => d[f.field] === b);
      }
      continue;
    }
    const values = q.all(param);
    if (!values.length) {
      continue;
    }
    if (f.kind === 'enum') {
      for (const v of values) {
        if (!f.options!.includes(v)) {
          throw invalidValue(param, v, f.options!);
        }
      }
    }
    const set = new Set<DimValue>(values);
    out.push((d) => set.has(d[f.field] ?? null));
  }
  return out;
}

function bucketIndexer(buckets: Bucket[]): (t: number) => number {
  let i = 0;
  // Items arrive sorted by time, so a moving pointer finds each bucket.
  return (t: number) => {
    while (i < buckets.length && t >= buckets[i].end) {
      i++;
    }
    return i < buckets.length && t >= buckets[i].start ? i : -1;
  };
}

function groupKey(dims: Record<string, unknown>, groupBy: string[]): string {
  return JSON.stringify(groupBy.map((g) => dims[g] ?? null));
}

function dimensionFields(fields: string[], groupBy: string[], dims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    out[f] = groupBy.includes(f) ? (dims[f] ?? null) : null;
  }
  return out;
}

function sortedValues<T>(m: Map<string, T>): T[] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

function eventResults(
  org: SimOrg,
  spec: BucketEndpointSpec,
  source: UsageSourceId,
  buckets: Bucket[],
  groupBy: string[],
  filters: Filter[]
): Array<Array<Record<string, unknown>>> {
  const metrics = SOURCE_METRICS[source];
  const dimFields = SOURCE_DIMENSIONS[source];
  const groups: Array<Map<string, { dims: Record<string, DimValue>; sums: Record<string, number> }>> = buckets.map(
    () => new Map()
  );
  const indexOf = bucketIndexer(buckets);
  for (const e of org.events(source, buckets[0].start, buckets[buckets.length - 1].end)) {
    if (!filters.every((f) => f(e.dims))) {
      continue;
    }
    const bi = indexOf(e.t);
    if (bi < 0) {
      continue;
    }
    const key = groupKey(e.dims, groupBy);
    let g = groups[bi].get(key);
    if (!g) {
      g = { dims: e.dims, sums: Object.fromEntries(metrics.map((m) => [m, 0])) };
      groups[bi].set(key, g);
    }
    for (const m of metrics) {
      g.sums[m] += e.metrics[m] ?? 0;
    }
  }
  return groups.map((m) =>
    sortedValues(m).map((g) => ({
      object: spec.resultObject,
      ...g.sums,
      ...dimensionFields(dimFields, groupBy, g.dims),
    }))
  );
}

/** usage_bytes is a level: each bucket reports the stored bytes at its start. */
function vectorStoreResults(
  org: SimOrg,
  spec: BucketEndpointSpec,
  buckets: Bucket[],
  groupBy: string[],
  filters: Filter[]
): Array<Array<Record<string, unknown>>> {
  const projects = org.storageProjectIds().filter((p) => filters.every((f) => f({ project_id: p })));
  return buckets.map((b) => {
    const groups = new Map<string, { project_id: string; bytes: number }>();
    for (const p of projects) {
      const bytes = org.vectorStoreBytes(p, b.start);
      if (bytes <= 0) {
        continue;
      }
      const key = groupKey({ project_id: p }, groupBy);
      const g = groups.get(key) ?? { project_id: p, bytes: 0 };
      g.bytes += bytes;
      groups.set(key, g);
    }
    return sortedValues(groups).map((g) => ({
      object: spec.resultObject,
      usage_bytes: g.bytes,
      ...dimensionFields(['project_id'], groupBy, { project_id: g.project_id }),
    }));
  });
}

function costResults(
  org: SimOrg,
  buckets: Bucket[],
  groupBy: string[],
  filters: Filter[],
  opts: BucketOptions
): Array<Array<Record<string, unknown>>> {
  type Group = { dims: Record<string, DimValue>; micros: number; quantity: number; unit: string | null };
  const groups: Array<Map<string, Group>> = buckets.map(() => new Map());
  const indexOf = bucketIndexer(buckets);
  const byLine = groupBy.includes('line_item');
  for (const c of org.costItemsByDay(buckets[0].start, buckets[buckets.length - 1].end)) {
    const dims: Record<string, DimValue> = {
      project_id: c.project_id,
      api_key_id: c.api_key_id,
      line_item: c.line_item,
    };
    if (!filters.every((f) => f(dims))) {
      continue;
    }
    const bi = indexOf(c.t);
    if (bi < 0) {
      continue;
    }
    const key = groupKey(dims, groupBy);
    const g = groups[bi].get(key) ?? { dims, micros: 0, quantity: 0, unit: c.quantity_unit };
    g.micros += c.micros;
    g.quantity += c.quantity;
    groups[bi].set(key, g);
  }
  return groups.map((m) =>
    sortedValues(m).map((g) => {
      const value = microsToUsd(g.micros);
      return {
        object: 'organization.costs.result',
        amount: { value: opts.amountAsString ? String(value) : value, currency: 'usd' },
        ...dimensionFields(['line_item', 'project_id', 'api_key_id'], groupBy, g.dims),
        // Quantity only has one unit when results are split by line item.
        quantity: byLine ? Number(g.quantity.toFixed(6)) : null,
        quantity_unit: byLine ? g.unit : null,
      };
    })
  );
}
