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
import { getTemplateSrv } from '@grafana/runtime';

import { AdminApiClient } from './api/client';
import { isApiError } from './api/errors';
import { auditAnnotations } from './audit/annotations';
import { testConnection } from './connection/testConnection';
import { OrgDirectory } from './org/directory';
import { QueryContext, QueryError } from './query/context';
import { RecentBuckets } from './query/recent';
import { prepareQuery, queryTypeDef } from './queryTypes';
import { DEFAULT_QUERY, OpenAIDataSourceOptions, OpenAIQuery } from './types';
import { OpenAIVariableSupport } from './variables';

export class DataSource extends DataSourceApi<OpenAIQuery, OpenAIDataSourceOptions> {
  readonly client: AdminApiClient;
  /** Organization lists and display names, one cache for frames, pickers, variables and Save & test. */
  readonly names: OrgDirectory;
  readonly recent: RecentBuckets;
  private readonly settings: OpenAIDataSourceOptions;

  constructor(instanceSettings: DataSourceInstanceSettings<OpenAIDataSourceOptions>, now: () => number = Date.now) {
    super(instanceSettings);
    this.settings = instanceSettings.jsonData ?? {};
    this.client = new AdminApiClient(instanceSettings.url ?? '', { organizationId: this.settings.organizationId });
    this.names = new OrgDirectory(this.client, now);
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
    return queries.map((q) => prepareQuery(q, getTemplateSrv(), scopedVars));
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
          const query = prepareQuery(target, templateSrv, request.scopedVars);
          const type = queryTypeDef(query);
          try {
            if (!type) {
              throw new QueryError([`The query type "${query.queryType}" is not supported.`]);
            }
            return { frames: await type.run(ctx, query, request) };
          } catch (e) {
            return { frames: [], error: toQueryError(e, target.refId) };
          }
        })
    );
    const errors = outcomes.flatMap((o) => (o.error ? [o.error] : []));
    return { data: outcomes.flatMap((o) => o.frames), errors: errors.length ? errors : undefined };
  }

  /** Save & test: a checklist of every stream the plugin reads. */
  async testDatasource() {
    return testConnection(this.client, this.names, this.settings);
  }
}

/** Each query fails on its own, with a message that says what to do. */
export function toQueryError(e: unknown, refId: string): DataQueryError {
  if (e instanceof QueryError || isApiError(e)) {
    return { refId, message: e.message, status: isApiError(e) ? e.status : undefined };
  }
  return { refId, message: `Unexpected error: ${e instanceof Error ? e.message : String(e)}` };
}
