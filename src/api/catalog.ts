/**
 * The endpoint catalog: everything that differs between the Admin API's usage and costs endpoints.
 * The query editor, validation, request building and frame building all read this table, so adding an
 * endpoint is one entry here. Facts come from OpenAI's OpenAPI description (organization usage and costs).
 */

export type BucketWidth = '1m' | '1h' | '1d';

export type SourceId =
  | 'completions'
  | 'embeddings'
  | 'moderations'
  | 'images'
  | 'audio_speeches'
  | 'audio_transcriptions'
  | 'vector_stores'
  | 'code_interpreter_sessions'
  | 'file_search_calls'
  | 'web_search_calls'
  | 'costs';

/** `group_by` values, in the API's own words. */
export type GroupByKey =
  | 'project_id'
  | 'user_id'
  | 'api_key_id'
  | 'model'
  | 'batch'
  | 'service_tier'
  | 'size'
  | 'source'
  | 'vector_store_id'
  | 'context_level'
  | 'line_item';

/** Filter keys of the saved query, mapped to API parameters: the keys of FILTERS. */
export type FilterKey = keyof typeof FILTER_DEFS;

/** Which list endpoint turns an ID of this dimension into a readable name. */
export type NameKind = 'project' | 'user' | 'apiKey';

export interface DimensionDef {
  label: string;
  /** Result field holding the value (same as the group_by value). */
  field: GroupByKey;
  nameKind?: NameKind;
  /** How a count of values reads, e.g. "Other (57 users)". */
  plural: string;
  /** One value per person or key: often hundreds, so a time series query keeps only its largest by default. */
  many?: boolean;
  description: string;
  /** Why values of a dimension with IDs but no name list stay IDs; said in the editor and in the frames. */
  shownAsIds?: string;
}

/**
 * What a series, row or label without a value of this dimension is called: "(no project)", "(no API key)".
 * Grafana would otherwise fall back to raw label syntax or to the bare field name.
 */
export function noneOf(dim: GroupByKey): string {
  const label = DIMENSIONS[dim].label;
  // Lower-case a word, not an acronym: "User" → "user", "API key" stays.
  return `(no ${/^[A-Z][a-z]/.test(label) ? label[0].toLowerCase() + label.slice(1) : label})`;
}

/** The dimension whose IDs a name list names. */
export const DIMENSION_OF_KIND: Record<NameKind, GroupByKey> = {
  project: 'project_id',
  user: 'user_id',
  apiKey: 'api_key_id',
};

export const DIMENSIONS: Record<GroupByKey, DimensionDef> = {
  project_id: {
    label: 'Project',
    field: 'project_id',
    plural: 'projects',
    nameKind: 'project',
    description: 'Project, shown by name',
  },
  user_id: {
    label: 'User',
    field: 'user_id',
    plural: 'users',
    many: true,
    nameKind: 'user',
    description: 'User, shown by email or name',
  },
  api_key_id: {
    label: 'API key',
    field: 'api_key_id',
    plural: 'API keys',
    many: true,
    nameKind: 'apiKey',
    description: 'Project API key, shown by name',
  },
  model: { label: 'Model', field: 'model', plural: 'models', description: 'Model snapshot, e.g. gpt-4o-2024-08-06' },
  batch: { label: 'Batch', field: 'batch', plural: 'batch kinds', description: 'Batch API jobs vs. standard requests' },
  service_tier: {
    label: 'Service tier',
    field: 'service_tier',
    plural: 'service tiers',
    description: 'Processing tier: default, flex, priority, scale…',
  },
  size: { label: 'Image size', field: 'size', plural: 'image sizes', description: 'Image size, e.g. 1024x1024' },
  source: {
    label: 'Image source',
    field: 'source',
    plural: 'image sources',
    description: 'image.generation, image.edit or image.variation',
  },
  vector_store_id: {
    label: 'Vector store',
    field: 'vector_store_id',
    plural: 'vector stores',
    description: 'Vector store searched',
    shownAsIds:
      'Vector stores are shown by ID (vs_…): OpenAI lists them only per project, with a project API key, and an admin key may call administration endpoints only.',
  },
  context_level: {
    label: 'Search context',
    field: 'context_level',
    plural: 'search contexts',
    description: 'Web search context size: low, medium, high',
  },
  line_item: {
    label: 'Line item',
    field: 'line_item',
    plural: 'line items',
    description: 'Billing line item, e.g. "gpt-4o-2024-08-06, input"',
  },
};

export type FilterKind = 'ids' | 'enum' | 'boolean';

export interface FilterDef {
  label: string;
  /** Query parameter name, sent in the bracket form `name[]=v` like the official SDKs. */
  param: string;
  kind: FilterKind;
  options?: string[];
  /** Where the editor loads readable options from. */
  nameKind?: NameKind;
  description: string;
  /** Why values of a dimension with IDs but no name list stay IDs; said in the editor and in the frames. */
  shownAsIds?: string;
}

/** Written with `satisfies` so each filter's kind stays a literal type, from which QueryFilters is derived. */
const FILTER_DEFS = {
  projectIds: {
    label: 'Projects',
    param: 'project_ids',
    kind: 'ids',
    nameKind: 'project',
    description: 'Only these projects',
  },
  userIds: { label: 'Users', param: 'user_ids', kind: 'ids', nameKind: 'user', description: 'Only these users' },
  apiKeyIds: {
    label: 'API keys',
    param: 'api_key_ids',
    kind: 'ids',
    nameKind: 'apiKey',
    description: 'Only these API keys',
  },
  models: { label: 'Models', param: 'models', kind: 'ids', description: 'Only these models' },
  batch: {
    label: 'Batch',
    param: 'batch',
    kind: 'boolean',
    description: 'Only batch jobs (true) or only standard requests (false)',
  },
  sources: {
    label: 'Image sources',
    param: 'sources',
    kind: 'enum',
    options: ['image.generation', 'image.edit', 'image.variation'],
    description: 'Only these image operations',
  },
  sizes: {
    label: 'Image sizes',
    param: 'sizes',
    kind: 'enum',
    options: ['256x256', '512x512', '1024x1024', '1792x1792', '1024x1792'],
    description: 'Only these image sizes',
  },
  vectorStoreIds: {
    label: 'Vector stores',
    param: 'vector_store_ids',
    kind: 'ids',
    description: 'Only these vector stores',
  },
  contextLevels: {
    label: 'Search context',
    param: 'context_levels',
    kind: 'enum',
    options: ['low', 'medium', 'high'],
    description: 'Only these web search context sizes',
  },
} satisfies Record<string, FilterDef>;

export const FILTERS: Record<FilterKey, FilterDef> = FILTER_DEFS;

/** The value a filter of each kind holds in a saved query. */
type FilterValue<K extends FilterKind> = K extends 'boolean' ? boolean : string[];

/** A query's filters, in the API's own words; values may hold template variables until interpolated. */
export type QueryFilters = { [K in FilterKey]?: FilterValue<(typeof FILTER_DEFS)[K]['kind']> };

/**
 * How values of a metric combine over time. `flow` values add up across buckets (tokens, requests, dollars);
 * `level` values are a quantity at a moment (stored bytes) and must never be summed across buckets.
 */
export type MetricKind = 'flow' | 'level';

/**
 * How a result holds a metric: `number` is a plain count (or a numeric string); `money` is an object
 * `{ value, currency }`, value a number or a decimal string.
 */
export type ValueKind = 'number' | 'money';

export interface MetricDef {
  /** Result field, in the API's own words. */
  field: string;
  /** Unset = `number`. */
  value?: ValueKind;
  label: string;
  /** Grafana unit id. */
  unit: string;
  kind: MetricKind;
  /** Returned when a query names no metrics. */
  isDefault?: boolean;
  description?: string;
}

export interface LimitDef {
  default: number;
  max: number;
}

/** How long recent buckets may still change, and how the panel says so. */
export interface ProvisionalDef {
  seconds: number;
  /** The notice shown when a range reaches into the period; `when` is its start, in UTC. */
  notice: (when: string) => string;
}

export interface EndpointDef {
  id: SourceId;
  label: string;
  description: string;
  /** Heading of the source picker. */
  group: 'Usage' | 'Spend';
  /** Results are billing line items (`line_item`) that can be split into model and token type. */
  costByModel: boolean;
  provisional: ProvisionalDef;
  /** Path below the data source URL. */
  path: string;
  /** `object` of each result, e.g. `organization.usage.file_searches.result`. */
  resultObject: string;
  bucketWidths: BucketWidth[];
  /** Buckets per page, per width. */
  limits: Partial<Record<BucketWidth, LimitDef>>;
  groupBy: GroupByKey[];
  filters: FilterKey[];
  metrics: MetricDef[];
}

const tokens = 'count:tokens';
const requests = 'count:requests';

const USAGE_LIMITS: EndpointDef['limits'] = {
  '1m': { default: 60, max: 1440 },
  '1h': { default: 24, max: 168 },
  '1d': { default: 7, max: 31 },
};
const ALL_WIDTHS: BucketWidth[] = ['1m', '1h', '1d'];

/** Usage buckets, minute ones above all, are revised for a while after they close. */
const USAGE_PROVISIONAL: ProvisionalDef = {
  seconds: 3600,
  notice: (when) => `Usage after ${when} UTC is provisional: OpenAI may still revise recent buckets.`,
};
const PEOPLE: GroupByKey[] = ['project_id', 'user_id', 'api_key_id'];
const PEOPLE_FILTERS: FilterKey[] = ['projectIds', 'userIds', 'apiKeyIds'];

const modelRequests: MetricDef = {
  field: 'num_model_requests',
  label: 'Model requests',
  unit: requests,
  kind: 'flow',
  isDefault: true,
};

function usage(
  id: SourceId,
  label: string,
  description: string,
  resultName: string,
  groupBy: GroupByKey[],
  filters: FilterKey[],
  metrics: MetricDef[]
): EndpointDef {
  return {
    id,
    label,
    description,
    group: 'Usage',
    costByModel: false,
    provisional: USAGE_PROVISIONAL,
    path: `/v1/organization/usage/${id}`,
    resultObject: `organization.usage.${resultName}.result`,
    bucketWidths: ALL_WIDTHS,
    limits: USAGE_LIMITS,
    groupBy,
    filters,
    metrics,
  };
}

const inputTokens: MetricDef = {
  field: 'input_tokens',
  label: 'Input tokens',
  unit: tokens,
  kind: 'flow',
  isDefault: true,
};

export const ENDPOINTS: Record<SourceId, EndpointDef> = {
  completions: usage(
    'completions',
    'Completions',
    'Chat, Responses and Batch API tokens',
    'completions',
    [...PEOPLE, 'model', 'batch', 'service_tier'],
    [...PEOPLE_FILTERS, 'models', 'batch'],
    [
      {
        ...inputTokens,
        description: 'All input tokens, including cached and cache-write, across text, audio and image',
      },
      { field: 'output_tokens', label: 'Output tokens', unit: tokens, kind: 'flow', isDefault: true },
      { field: 'input_cached_tokens', label: 'Cached input tokens', unit: tokens, kind: 'flow', isDefault: true },
      { field: 'input_cache_write_tokens', label: 'Cache-write input tokens', unit: tokens, kind: 'flow' },
      { field: 'input_uncached_tokens', label: 'Uncached input tokens', unit: tokens, kind: 'flow' },
      { field: 'input_text_tokens', label: 'Text input tokens (uncached)', unit: tokens, kind: 'flow' },
      { field: 'input_cached_text_tokens', label: 'Cached text input tokens', unit: tokens, kind: 'flow' },
      { field: 'input_audio_tokens', label: 'Audio input tokens (uncached)', unit: tokens, kind: 'flow' },
      { field: 'input_cached_audio_tokens', label: 'Cached audio input tokens', unit: tokens, kind: 'flow' },
      { field: 'input_image_tokens', label: 'Image input tokens (uncached)', unit: tokens, kind: 'flow' },
      { field: 'input_cached_image_tokens', label: 'Cached image input tokens', unit: tokens, kind: 'flow' },
      { field: 'output_text_tokens', label: 'Text output tokens', unit: tokens, kind: 'flow' },
      { field: 'output_audio_tokens', label: 'Audio output tokens', unit: tokens, kind: 'flow' },
      { field: 'output_image_tokens', label: 'Image output tokens', unit: tokens, kind: 'flow' },
      { ...modelRequests, isDefault: false },
    ]
  ),
  embeddings: usage(
    'embeddings',
    'Embeddings',
    'Embedding tokens and requests',
    'embeddings',
    [...PEOPLE, 'model'],
    [...PEOPLE_FILTERS, 'models'],
    [inputTokens, modelRequests]
  ),
  moderations: usage(
    'moderations',
    'Moderations',
    'Moderation tokens and requests',
    'moderations',
    [...PEOPLE, 'model'],
    [...PEOPLE_FILTERS, 'models'],
    [inputTokens, modelRequests]
  ),
  images: usage(
    'images',
    'Images',
    'Images generated, edited or varied',
    'images',
    [...PEOPLE, 'model', 'size', 'source'],
    ['sources', 'sizes', ...PEOPLE_FILTERS, 'models'],
    [{ field: 'images', label: 'Images', unit: 'count:images', kind: 'flow', isDefault: true }, modelRequests]
  ),
  audio_speeches: usage(
    'audio_speeches',
    'Audio speeches',
    'Text-to-speech characters',
    'audio_speeches',
    [...PEOPLE, 'model'],
    [...PEOPLE_FILTERS, 'models'],
    [{ field: 'characters', label: 'Characters', unit: 'count:chars', kind: 'flow', isDefault: true }, modelRequests]
  ),
  audio_transcriptions: usage(
    'audio_transcriptions',
    'Audio transcriptions',
    'Seconds of audio transcribed',
    'audio_transcriptions',
    [...PEOPLE, 'model'],
    [...PEOPLE_FILTERS, 'models'],
    [{ field: 'seconds', label: 'Audio seconds', unit: 's', kind: 'flow', isDefault: true }, modelRequests]
  ),
  vector_stores: usage(
    'vector_stores',
    'Vector stores',
    'Vector store storage',
    'vector_stores',
    ['project_id'],
    ['projectIds'],
    [
      {
        field: 'usage_bytes',
        label: 'Storage',
        unit: 'bytes',
        kind: 'level',
        isDefault: true,
        description: 'Vector store storage in bytes; a level, not summed across buckets',
      },
    ]
  ),
  code_interpreter_sessions: usage(
    'code_interpreter_sessions',
    'Code interpreter',
    'Code interpreter sessions',
    'code_interpreter_sessions',
    ['project_id'],
    ['projectIds'],
    [{ field: 'num_sessions', label: 'Sessions', unit: 'count:sessions', kind: 'flow', isDefault: true }]
  ),
  file_search_calls: usage(
    'file_search_calls',
    'File search',
    'File search tool calls',
    'file_searches',
    [...PEOPLE, 'vector_store_id'],
    [...PEOPLE_FILTERS, 'vectorStoreIds'],
    [{ field: 'num_requests', label: 'File search calls', unit: 'count:calls', kind: 'flow', isDefault: true }]
  ),
  web_search_calls: usage(
    'web_search_calls',
    'Web search',
    'Web search tool calls',
    'web_searches',
    [...PEOPLE, 'model', 'context_level'],
    [...PEOPLE_FILTERS, 'models', 'contextLevels'],
    [
      { field: 'num_requests', label: 'Web search calls', unit: 'count:calls', kind: 'flow', isDefault: true },
      { ...modelRequests, isDefault: false },
    ]
  ),
  costs: {
    id: 'costs',
    label: 'Costs',
    description: 'Billed spend in USD, daily; reconciles with the invoice',
    group: 'Spend',
    costByModel: true,
    // Costs settle over about a day.
    provisional: {
      seconds: 36 * 3600,
      notice: (when) =>
        `Costs after ${when} UTC are provisional: OpenAI settles costs over about a day, so recent days may still rise.`,
    },
    path: '/v1/organization/costs',
    resultObject: 'organization.costs.result',
    bucketWidths: ['1d'],
    limits: { '1d': { default: 7, max: 180 } },
    groupBy: ['project_id', 'line_item', 'api_key_id'],
    filters: ['projectIds', 'apiKeyIds'],
    metrics: [{ field: 'amount', label: 'Cost', unit: 'currencyUSD', kind: 'flow', value: 'money', isDefault: true }],
  },
};

export const SOURCE_IDS = Object.keys(ENDPOINTS) as SourceId[];

/** The endpoint of billed spend, which cost insights read. */
export const BILLED_SOURCE = SOURCE_IDS.find((id) => ENDPOINTS[id].costByModel)!;

export const BUCKET_SECONDS: Record<BucketWidth, number> = { '1m': 60, '1h': 3600, '1d': 86400 };

export function defaultMetrics(def: EndpointDef): string[] {
  return def.metrics.filter((m) => m.isDefault).map((m) => m.field);
}

export function findMetric(def: EndpointDef, field: string): MetricDef | undefined {
  return def.metrics.find((m) => m.field === field);
}
