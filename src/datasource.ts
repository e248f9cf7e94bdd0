import {
  CoreApp,
  DataFrame,
  DataQueryError,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  ScopedVars,
} from '@grafana/data';
import { getBackendSrv, getTemplateSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { AdminApiClient } from './api/client';
import { urlProblem } from './api/endpoint';
import { isApiError } from './api/errors';
import { auditAnnotations } from './audit/annotations';
import { runAuditLogs } from './audit/runAuditLogs';
import { ConnectionTestResult, testConnection } from './connection/testConnection';
import { runInsight } from './insights/runInsight';
import { runInventory } from './inventory/runInventory';
import { QueryContext, QueryError, QueryRunner } from './query/context';
import { interpolateQuery } from './query/interpolate';
import { migrateQuery } from './query/migrate';
import { NameResolver } from './query/names';
import { RecentBuckets } from './query/recent';
import { runTimeSeries } from './query/runQuery';
import { DEFAULT_QUERY, OpenAIDataSourceOptions, OpenAIQuery, QueryType } from './types';
import { OpenAIVariableSupport } from './variables';

/** The runner of each query type; a type without a runner fails with a clear message. */
export const queryRunners: Partial<Record<QueryType, QueryRunner>> = {
  [QueryType.TimeSeries]: runTimeSeries,
  [QueryType.Inventory]: runInventory,
  [QueryType.AuditLogs]: runAuditLogs,
  [QueryType.Insight]: runInsight,
};

export class DataSource extends DataSourceApi<OpenAIQuery, OpenAIDataSourceOptions> {
  readonly client: AdminApiClient;
  readonly names: NameResolver;
  readonly recent: RecentBuckets;
  private readonly settings: OpenAIDataSourceOptions;
  /** Grafana's settings API for this data source, next to its proxy URL (same origin and sub-path). */
  private readonly settingsUrl: string;

  constructor(instanceSettings: DataSourceInstanceSettings<OpenAIDataSourceOptions>, now: () => number = Date.now) {
    super(instanceSettings);
    this.settings = instanceSettings.jsonData ?? {};
    this.client = new AdminApiClient(instanceSettings.url ?? '', { organizationId: this.settings.organizationId });
    const proxyUrl = instanceSettings.url ?? '';
    const proxied = /\/api\/datasources\/proxy\/uid\/[^/]+$/.test(proxyUrl);
    this.settingsUrl = proxied
      ? proxyUrl.replace(/\/api\/datasources\/proxy\/uid\//, '/api/datasources/uid/')
      : `/api/datasources/uid/${encodeURIComponent(instanceSettings.uid)}`;
    this.names = new NameResolver(this.client, now);
    this.recent = new RecentBuckets(this.client);
    this.now = now;
    this.variables = new OpenAIVariableSupport(this);
    this.annotations = auditAnnotations;
  }

  /** The clock for look-back windows and provisional buckets (milliseconds). */
  readonly now: () => number;

  getDefaultQuery(_: CoreApp): Partial<OpenAIQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: OpenAIQuery): boolean {
    return !query.hide;
  }

  interpolateVariablesInQueries(queries: OpenAIQuery[], scopedVars: ScopedVars): OpenAIQuery[] {
    return queries.map((q) => interpolateQuery(migrateQuery(q), getTemplateSrv(), scopedVars));
  }

  async query(request: DataQueryRequest<OpenAIQuery>): Promise<DataQueryResponse> {
    const ctx: QueryContext = {
      client: this.client,
      names: this.names,
      recent: this.recent,
      settings: this.settings,
      now: this.now,
    };
    const templateSrv = getTemplateSrv();
    const outcomes = await Promise.all(
      request.targets
        .filter((t) => this.filterQuery(t))
        .map(async (target): Promise<{ frames: DataFrame[]; error?: DataQueryError }> => {
          const query = interpolateQuery(migrateQuery(target), templateSrv, request.scopedVars);
          const runner = queryRunners[query.queryType ?? QueryType.TimeSeries];
          try {
            if (!runner) {
              throw new QueryError([`The query type "${query.queryType}" is not supported.`]);
            }
            return { frames: await runner(ctx, query, request) };
          } catch (e) {
            return { frames: [], error: toQueryError(e, target.refId) };
          }
        })
    );
    const errors = outcomes.flatMap((o) => (o.error ? [o.error] : []));
    return { data: outcomes.flatMap((o) => o.frames), errors: errors.length ? errors : undefined };
  }

  /** Save & test: the data source URL first, then a checklist of every stream the plugin reads. */
  async testDatasource(): Promise<ConnectionTestResult> {
    const url = await this.configuredUrl();
    const problem = url === undefined ? undefined : urlProblem(url);
    if (problem) {
      return { status: 'error', message: problem };
    }
    return testConnection(this.client, { organizationId: this.settings.organizationId, endpoint: url });
  }

  /**
   * The data source's URL field. The browser only knows the proxy URL; the settings API tells those who may read
   * data source settings (organization Admins). Undefined when it cannot be read.
   */
  private async configuredUrl(): Promise<string | undefined> {
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<{ url?: string }>({
          url: this.settingsUrl,
          method: 'GET',
          showErrorAlert: false,
          showSuccessAlert: false,
        })
      );
      return typeof response.data?.url === 'string' ? response.data.url : '';
    } catch {
      return undefined;
    }
  }
}

/** Each query fails on its own, with a message that says what to do. */
export function toQueryError(e: unknown, refId: string): DataQueryError {
  if (e instanceof QueryError || isApiError(e)) {
    return { refId, message: e.message, status: isApiError(e) ? e.status : undefined };
  }
  return { refId, message: `Unexpected error: ${e instanceof Error ? e.message : String(e)}` };
}
