/**
 * Saved queries live in users' dashboards for years: every older shape is brought to the current one
 * here, and a brand-new query gets the defaults (daily cost by project).
 *
 * Versions: unversioned and 1 share one shape, where insights read `groupBy` as switches; 2 gives insights
 * their own fields (`byProject`, `byTokenType`, `attributeTo`).
 */
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

export function migrateQuery(query: OpenAIQuery): OpenAIQuery {
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
