import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

import { BILLED_SOURCE, BucketWidth, GroupByKey, QueryFilters, SourceId } from './api/catalog';

export type { BucketWidth, FilterKey, GroupByKey, QueryFilters, SourceId } from './api/catalog';

/** What a query returns. Saved in dashboards: never rename a value, add new ones. */
export enum QueryType {
  /** Usage or costs as time series (the default). */
  TimeSeries = 'timeSeries',
  /** Organization inventory as a table: users, projects, keys, invites. */
  Inventory = 'inventory',
  /** Audit log events, for Explore's logs view and annotations. */
  AuditLogs = 'auditLogs',
  /** Derived cost figures: spend by model, attribution, budget, cache efficiency, reconciliation. */
  Insight = 'insight',
}

export type InventoryKind = 'users' | 'projects' | 'projectApiKeys' | 'adminApiKeys' | 'invites' | 'serviceAccounts';

export type InsightKind = 'spendByModel' | 'attributedSpend' | 'budget' | 'cacheEfficiency' | 'reconciliation';

/** Time series: a usage endpoint or costs. */
export interface TimeSeriesFields {
  source?: SourceId;
  /** Result fields to return; empty = the endpoint's defaults. */
  metrics?: string[];
  /** `auto` picks the width from the panel's range and max data points. */
  bucketWidth?: BucketWidth | 'auto';
  groupBy?: GroupByKey[];
  filters?: QueryFilters;
  /** e.g. `{{model}} · {{project}}`; labels are the group_by keys without `_id` and their `*_id` raw forms. */
  legendFormat?: string;
  /** Costs: split each line item into model and token type (derived from the line item text). */
  costByModel?: boolean;
  /**
   * Keep the N largest series of each metric (by their sum over the range) and sum the rest into one "Other"
   * series. Unset: every series, except groupings by user or API key, which keep DEFAULT_TOP_N; 0: every series.
   */
  topN?: number;
}

/** Inventory tables. */
export interface InventoryFields {
  inventory?: InventoryKind;
  /** Inventory of users: the window of usage used for last activity and tokens, e.g. `30d`. */
  activityWindow?: string;
}

/** Audit logs. */
export interface AuditLogsFields {
  auditEventTypes?: string[];
  auditActorEmails?: string[];
  auditProjectIds?: string[];
}

/** Who attributed spend is shared out to. */
export type Principal = 'user_id' | 'api_key_id';

/** Insights: their own options, plus the project filter, legend and (cache efficiency) bucket width. */
export interface InsightFields {
  insight?: InsightKind;
  /** Spend by model and cache efficiency: one series per project as well. */
  byProject?: boolean;
  /** Spend by model: one series per model and token type instead of one per model. */
  byTokenType?: boolean;
  /** Attributed spend: per user (default) or per API key. */
  attributeTo?: Principal;
  /** Budget: monthly budget in USD, overriding the data source's. */
  monthlyBudget?: number;
}

/**
 * A saved query. Each query type reads its own fields (see QUERY_TYPES); a query keeps the others when its
 * type is switched, so switching back restores them.
 */
export interface OpenAIQuery extends DataQuery, TimeSeriesFields, InventoryFields, AuditLogsFields, InsightFields {
  /** Version of this shape, for migrations of saved queries. */
  schemaVersion?: number;
  queryType?: QueryType;
}

/** 2: insights have their own fields instead of reusing `groupBy` as switches. */
export const CURRENT_SCHEMA_VERSION = 2;

export const DEFAULT_QUERY: Partial<OpenAIQuery> = {
  schemaVersion: CURRENT_SCHEMA_VERSION,
  queryType: QueryType.TimeSeries,
  source: BILLED_SOURCE,
  metrics: [],
  bucketWidth: 'auto',
  groupBy: ['project_id'],
  filters: {},
};

/** Options configured for each data source instance; never secret. */
export interface OpenAIDataSourceOptions extends DataSourceJsonData {
  /**
   * @deprecated The endpoint is the data source's URL field; the configuration page moves an old value there.
   */
  apiUrl?: string;
  /** `org-…`; sent as `OpenAI-Organization` only when set. */
  organizationId?: string;
  /** Monthly budget in USD for budget and forecast queries. */
  monthlyBudget?: number;
  /**
   * Whether the settings form holds an admin key, kept by the form so Save & test can ask for a missing key
   * before sending anything. Absent (unknown) for data sources provisioned from files.
   */
  adminKeyConfigured?: boolean;
}

/** Secrets; Grafana's proxy injects them, the browser never sees them. */
export interface OpenAISecureJsonData {
  adminApiKey?: string;
}
