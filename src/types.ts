import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

import { BucketWidth, GroupByKey, SourceId } from './api/catalog';

export type { BucketWidth, FilterKey, GroupByKey, SourceId } from './api/catalog';

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

/** Filters in the API's own words; values may hold template variables until interpolated. */
export interface QueryFilters {
  projectIds?: string[];
  userIds?: string[];
  apiKeyIds?: string[];
  models?: string[];
  /** true = batch jobs only, false = standard requests only, unset = both. */
  batch?: boolean;
  sources?: string[];
  sizes?: string[];
  vectorStoreIds?: string[];
  contextLevels?: string[];
}

export interface OpenAIQuery extends DataQuery {
  /** Version of this shape, for migrations of saved queries. */
  schemaVersion?: number;
  queryType?: QueryType;

  /** Time series: a usage endpoint or costs. */
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

  /** Inventory tables. */
  inventory?: InventoryKind;
  /** Inventory of users: the window of usage used for last activity and tokens, e.g. `30d`. */
  activityWindow?: string;

  /** Audit logs. */
  auditEventTypes?: string[];
  auditActorEmails?: string[];
  auditProjectIds?: string[];

  /** Insights. */
  insight?: InsightKind;
  /** Monthly budget in USD, overriding the data source's. */
  monthlyBudget?: number;
}

export const CURRENT_SCHEMA_VERSION = 1;

export const DEFAULT_QUERY: Partial<OpenAIQuery> = {
  schemaVersion: CURRENT_SCHEMA_VERSION,
  queryType: QueryType.TimeSeries,
  source: 'costs',
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
}

/** Secrets; Grafana's proxy injects them, the browser never sees them. */
export interface OpenAISecureJsonData {
  adminApiKey?: string;
}
