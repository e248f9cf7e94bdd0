/**
 * Saved queries live in users' dashboards for years: every older shape is brought to the current one
 * here, and a brand-new query gets the defaults (daily cost by project).
 */
import { CURRENT_SCHEMA_VERSION, DEFAULT_QUERY, OpenAIQuery, QueryType } from '../types';

export function migrateQuery(query: OpenAIQuery): OpenAIQuery {
  if (query.schemaVersion === CURRENT_SCHEMA_VERSION && query.queryType) {
    return query;
  }
  if (!query.queryType && !query.source) {
    return { ...DEFAULT_QUERY, ...query, schemaVersion: CURRENT_SCHEMA_VERSION } as OpenAIQuery;
  }
  return { ...query, queryType: query.queryType ?? QueryType.TimeSeries, schemaVersion: CURRENT_SCHEMA_VERSION };
}
