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
import { config, getBackendSrv, getTemplateSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { AdminApiClient, ClientOptions } from './api/client';
import { urlProblem } from './api/endpoint';
import { isApiError } from './api/errors';
import { auditAnnotations } from './audit/annotations';
import { ConnectionTestResult, testConnection } from './connection/testConnection';
import { sessionStore } from './org/cache';
import { OrgDirectory } from './org/directory';
import { QueryContext, QueryError } from './query/context';
import { wideUnlessFew } from './query/coalesce';
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
  /** Grafana's settings API for this data source, next to its proxy URL (same origin and sub-path). */
  private readonly settingsUrl: string;

  constructor(
    instanceSettings: DataSourceInstanceSettings<OpenAIDataSourceOptions>,
    now: () => number = Date.now,
    clientOptions: Omit<ClientOptions, 'organizationId'> = {}
  ) {
    super(instanceSettings);
    this.settings = instanceSettings.jsonData ?? {};
    // Kept per Grafana organization, data source and OpenAI organization, so nothing is shown under another.
    const grafanaOrg = config.bootData?.user?.orgId ?? '';
    const kept = (what: string) =>
      sessionStore(
        `${instanceSettings.type}:${what}:${grafanaOrg}:${instanceSettings.uid}:${this.settings.organizationId ?? ''}:`
      );
    // An Organization ID of the wrong form fails every request at once, with what to correct.
    this.client = new AdminApiClient(instanceSettings.url ?? '', {
      // A re-opened dashboard starts at the pace the API's 429s taught, instead of hitting its limit again.
      paceStore: kept('pace'),
      ...clientOptions,
      organizationId: this.settings.organizationId,
    });
    const proxyUrl = instanceSettings.url ?? '';
    const proxied = /\/api\/datasources\/proxy\/uid\/[^/]+$/.test(proxyUrl);
    this.settingsUrl = proxied
      ? proxyUrl.replace(/\/api\/datasources\/proxy\/uid\//, '/api/datasources/uid/')
      : `/api/datasources/uid/${encodeURIComponent(instanceSettings.uid)}`;
    this.names = new OrgDirectory(this.client, now, kept('org-lists'));
    // Users and keys of an organization whose lists are known to be short share requests like any grouping.
    this.recent = new RecentBuckets(
      this.client,
      undefined,
      wideUnlessFew((kind) => this.names.knownCount(kind))
    );
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
    return queries.map((q) => {
      try {
        return prepareQuery(q, getTemplateSrv(), scopedVars);
      } catch {
        // Left as saved: running it reports what is wrong with it.
        return q;
      }
    });
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
          try {
            // Inside the try: a saved query that cannot be read fails alone.
            const query = prepareQuery(target, templateSrv, request.scopedVars);
            return { frames: await queryTypeDef(query)!.run(ctx, query, request) };
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
    return testConnection(this.client, this.names, {
      organizationId: this.settings.organizationId,
      adminKeyConfigured: this.settings.adminKeyConfigured,
      endpoint: url,
    });
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

/** For a failure no check foresaw: what to do, never a JavaScript error's own text. */
export const UNREADABLE_QUERY =
  'This query failed on something the plugin did not expect. Check its settings in the query editor and run it again; if it keeps failing, report it with the query’s JSON (Query inspector › JSON).';

/** Each query fails on its own, with a message that says what to do. */
export function toQueryError(e: unknown, refId: string): DataQueryError {
  if (e instanceof QueryError || isApiError(e)) {
    return { refId, message: e.message, status: isApiError(e) ? e.status : undefined };
  }
  return { refId, message: UNREADABLE_QUERY };
}
