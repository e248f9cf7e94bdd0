/**
 * Saved queries live in users' dashboards for years: every older shape is brought to the current one
 * here, and a brand-new query gets the defaults (daily cost by project).
 *
 * Versions: unversioned and 1 share one shape, where insights read `groupBy` as switches; 2 gives insights
 * their own fields (`byProject`, `byTokenType`, `attributeTo`). An insight query without an insight gets the
 * default one, as its editor shows.
 */
import { FILTERS } from '../api/catalog';
import { DEFAULT_INSIGHT_KIND } from '../insights/kinds';
import { ownEntry } from '../lookup';
import { CURRENT_SCHEMA_VERSION, DEFAULT_QUERY, OpenAIQuery, QueryType } from '../types';

/** Version 1 insights: `groupBy` held switches; each becomes the insight's own field. */
function insightFieldsFromGroupBy(query: OpenAIQuery): OpenAIQuery {
  const { groupBy, ...rest } = query;
  const keys = groupBy ?? [];
  const next: OpenAIQuery = { ...rest };
  switch (query.insight) {
    case 'spendByModel':
      next.byProject = query.byProject ?? (keys.includes('project_id') || undefined);
      next.byTokenType = query.byTokenType ?? (keys.includes('line_item') || undefined);
      break;
    case 'cacheEfficiency':
      next.byProject = query.byProject ?? (keys.includes('project_id') || undefined);
      break;
    case 'attributedSpend':
      // The editor only ever saved one of the two; user is the default.
      next.attributeTo =
        query.attributeTo ?? (keys.includes('api_key_id') && !keys.includes('user_id') ? 'api_key_id' : 'user_id');
      break;
  }
  for (const key of ['byProject', 'byTokenType'] as const) {
    if (next[key] === undefined) {
      delete next[key];
    }
  }
  return next;
}

/** A saved query in the current shape, and what in it could not be read (one sentence per field). */
export interface CheckedQuery {
  query: OpenAIQuery;
  problems: string[];
}

/** Free text: a number is taken as its digits. */
const TEXT_FIELDS = { legendFormat: 'Legend', activityWindow: 'Activity window' } as const;
/** Names of choices: only text is a name. */
const NAME_FIELDS = {
  queryType: 'Query type',
  source: 'Source',
  inventory: 'List',
  insight: 'Insight',
  bucketWidth: 'Bucket width',
  attributeTo: 'Attribute to',
} as const;
/** Lists of text: a single value is a list of one. */
const LIST_FIELDS = {
  metrics: 'Metrics',
  groupBy: 'Group by',
  auditEventTypes: 'Event types',
  auditActorEmails: 'Actors',
  auditProjectIds: 'Projects',
} as const;
const SWITCH_FIELDS = {
  byProject: 'By project',
  byTokenType: 'Split by token type',
  costByModel: 'Cost by model',
} as const;

const FIX = 'Choose it again in the query editor.';

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list';
  }
  switch (typeof value) {
    case 'string':
      return `"${value}"`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    default:
      return value === null ? 'null' : `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
  }
}

type Coerced<T> = { value?: T; problem?: string };

function asText(label: string, value: unknown, numbersToo: boolean): Coerced<string> {
  if (typeof value === 'string') {
    return { value };
  }
  if (numbersToo && typeof value === 'number' && Number.isFinite(value)) {
    return { value: String(value) };
  }
  return { problem: `${label}: expected text, not ${describe(value)}. ${FIX}` };
}

function asList(label: string, value: unknown): Coerced<string[]> {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return { value };
  }
  // A single value saved by hand or by an older tool, not a list of its characters.
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    if (item === null || item === undefined || item === '') {
      continue;
    }
    const text = asText(label, item, true);
    if (text.problem) {
      return { problem: `${label}: expected a list of text values, but it holds ${describe(item)}. ${FIX}` };
    }
    out.push(text.value!);
  }
  return { value: out };
}

function asSwitch(label: string, value: unknown): Coerced<boolean> {
  if (typeof value === 'boolean') {
    return { value };
  }
  if (value === 'true' || value === 'false') {
    return { value: value === 'true' };
  }
  return { problem: `${label}: expected on or off (true or false), not ${describe(value)}. ${FIX}` };
}

function asAmount(label: string, value: unknown): Coerced<number> {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n)
    ? { value: n }
    : { problem: `${label}: expected an amount, not ${describe(value)}. ${FIX}` };
}

/** The filters object: each known filter's value coerced to its kind; anything else is a problem. */
function asFilters(value: unknown): Coerced<Record<string, unknown>> & { problems: string[] } {
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { problems: [`Filters: expected filter names and values, not ${describe(value)}. ${FIX}`] };
  }
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const def = ownEntry(FILTERS, key);
    if (v === null || v === undefined) {
      continue;
    }
    if (!def) {
      problems.push(`Filters: "${key}" is not a filter this plugin knows. Remove it in the query editor.`);
      continue;
    }
    const label = `Filter ${def.label}`;
    const c = def.kind === 'boolean' ? asSwitch(label, v) : asList(label, v);
    if (c.problem) {
      problems.push(c.problem);
    } else {
      out[key] = c.value;
    }
  }
  const changed =
    Object.keys(out).length !== Object.keys(value as object).length ||
    Object.keys(out).some((k) => out[k] !== (value as Record<string, unknown>)[k]);
  return { value: changed ? out : (value as Record<string, unknown>), problems };
}

/**
 * Every field of a saved query checked against its type: hand-edited JSON, provisioning and other tools save
 * numbers, single values and nulls where the editor saves text and lists. What can be read is coerced (a number
 * as text, a single value as a list of one); what cannot is dropped and named in `problems`.
 */
export function checkQuery(saved: OpenAIQuery): CheckedQuery {
  const problems: string[] = [];
  const next: Record<string, unknown> = { ...saved };
  let changed = false;
  const apply = <T>(key: string, c: Coerced<T>) => {
    if (c.problem) {
      problems.push(c.problem);
      delete next[key];
      changed = true;
    } else if (next[key] !== c.value) {
      next[key] = c.value;
      changed = true;
    }
  };
  const present = (key: string) => {
    const v = next[key];
    if (v === null) {
      delete next[key];
      changed = true;
    }
    return v !== undefined && v !== null;
  };
  for (const [key, label] of Object.entries(TEXT_FIELDS)) {
    if (present(key)) {
      apply(key, asText(label, next[key], true));
    }
  }
  for (const [key, label] of Object.entries(NAME_FIELDS)) {
    if (present(key)) {
      apply(key, asText(label, next[key], false));
    }
  }
  for (const [key, label] of Object.entries(LIST_FIELDS)) {
    if (present(key)) {
      apply(key, asList(label, next[key]));
    }
  }
  for (const [key, label] of Object.entries(SWITCH_FIELDS)) {
    if (present(key)) {
      apply(key, asSwitch(label, next[key]));
    }
  }
  if (present('monthlyBudget') && next.monthlyBudget !== '') {
    apply('monthlyBudget', asAmount('Monthly budget', next.monthlyBudget));
  }
  if (present('filters')) {
    const f = asFilters(next.filters);
    problems.push(...f.problems);
    changed ||= f.value !== next.filters;
    next.filters = f.value ?? {};
  }
  if (present('schemaVersion') && typeof next.schemaVersion !== 'number') {
    // Unreadable means unversioned: the oldest shape's migration applies.
    const n = Number(next.schemaVersion);
    next.schemaVersion = Number.isInteger(n) ? n : undefined;
    changed = true;
  }
  // Unchanged stays the same object, so editors and memoized panels see no change.
  return { query: migrateShape(changed ? (next as unknown as OpenAIQuery) : saved), problems };
}

/** A saved query in the current shape; fields that cannot be read are left out (see checkQuery). */
export function migrateQuery(query: OpenAIQuery): OpenAIQuery {
  return checkQuery(query).query;
}

function migrateShape(query: OpenAIQuery): OpenAIQuery {
  const current = currentShape(query);
  // An insight query saved before an insight was chosen runs the one its editor shows.
  return current.queryType === QueryType.Insight && current.insight === undefined
    ? { ...current, insight: DEFAULT_INSIGHT_KIND }
    : current;
}

function currentShape(query: OpenAIQuery): OpenAIQuery {
  if (query.schemaVersion === CURRENT_SCHEMA_VERSION && query.queryType) {
    return query;
  }
  if (!query.queryType && !query.source) {
    return { ...DEFAULT_QUERY, ...query, schemaVersion: CURRENT_SCHEMA_VERSION } as OpenAIQuery;
  }
  const queryType = query.queryType ?? QueryType.TimeSeries;
  const older = (query.schemaVersion ?? 1) < 2;
  const shaped = older && queryType === QueryType.Insight ? insightFieldsFromGroupBy(query) : query;
  return { ...shaped, queryType, schemaVersion: CURRENT_SCHEMA_VERSION };
}
