/**
 * One descriptor per query type: how it is named, interpolated and run. The data source runs queries through
 * it and the query editor names its types from it; the editors themselves are keyed by the same QueryType in
 * components/query/registry.ts, so no logic module imports a component.
 */
import { ScopedVars } from '@grafana/data';

import { runAuditLogs } from './audit/runAuditLogs';
import { runInsight } from './insights/runInsight';
import { runInventory } from './inventory/runInventory';
import { QueryRunner } from './query/context';
import { Replacer, interpolateAudit, interpolateSeries } from './query/interpolate';
import { migrateQuery } from './query/migrate';
import { runTimeSeries } from './query/timeSeries';
import { OpenAIQuery, QueryType } from './types';

export interface QueryTypeDef {
  label: string;
  description: string;
  /** Template variables in the fields this type reads. */
  interpolate: (query: OpenAIQuery, templateSrv: Replacer, scopedVars?: ScopedVars) => OpenAIQuery;
  run: QueryRunner;
}

const none: QueryTypeDef['interpolate'] = (query) => query;

export const QUERY_TYPES: Record<QueryType, QueryTypeDef> = {
  [QueryType.TimeSeries]: {
    label: 'Usage & costs',
    description: 'Tokens, requests or dollars over time',
    interpolate: interpolateSeries,
    run: runTimeSeries,
  },
  [QueryType.Inventory]: {
    label: 'Inventory',
    description: 'Users, projects, keys, invites and service accounts as a table',
    interpolate: none,
    run: runInventory,
  },
  [QueryType.AuditLogs]: {
    label: 'Audit logs',
    description: 'Who changed what in the organization, as logs or annotations',
    interpolate: interpolateAudit,
    run: runAuditLogs,
  },
  [QueryType.Insight]: {
    label: 'Insights',
    description: 'Spend by model, by user or key, budget, cache efficiency, billed vs. attributed',
    interpolate: interpolateSeries,
    run: runInsight,
  },
};

/** Query types in the enum's order. */
export const QUERY_TYPE_IDS: QueryType[] = Object.values(QueryType);

/** The descriptor of a query's type; undefined for a type this version does not know. */
export function queryTypeDef(query: OpenAIQuery): QueryTypeDef | undefined {
  return QUERY_TYPES[query.queryType ?? QueryType.TimeSeries];
}

/** A saved query brought to the current shape, with its type's template variables replaced. */
export function prepareQuery(query: OpenAIQuery, templateSrv: Replacer, scopedVars?: ScopedVars): OpenAIQuery {
  const migrated = migrateQuery(query);
  return queryTypeDef(migrated)?.interpolate(migrated, templateSrv, scopedVars) ?? migrated;
}
