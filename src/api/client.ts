/**
 * The Admin API client: every request of the plugin goes through here, through Grafana's data source proxy
 * (which adds the admin key), under one shared concurrency limit, with retries on 429/5xx, de-duplication
 * of identical requests in flight, and the cache that settled windows are kept in (see query/buckets.ts).
 */
import { BackendSrv, getBackendSrv } from '@grafana/runtime';
import { lastValueFrom, timeout } from 'rxjs';

import { RequestCache } from './cache';
import { ApiError, cursorCycle, describePath, errorFromResponse, isRetryable } from './errors';
import { OrgStore } from '../org/cache';
import { Limiter } from './limiter';
import { organizationIdProblem, organizationIdValue } from './organizationId';
import { ListPage } from './types';

export type ParamValue = string | number | boolean | string[] | Record<string, number> | null | undefined;
export type Params = Record<string, ParamValue>;

export interface ClientOptions {
  organizationId?: string;
  limiter?: Limiter;
  /** Where the limiter keeps the pace 429s taught it across page loads (unless `limiter` is given). */
  paceStore?: OrgStore;
  cache?: RequestCache;
  /** Tries per request, the first included. */
  maxAttempts?: number;
  /** Give up on one try after this long (a hung request is retried). */
  timeoutMs?: number;
  /** Give up on a request, all its tries and waits together, after this long. */
  deadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
  backendSrv?: () => BackendSrv;
}

export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
  cacheHits: number;
}

const MAX_LIST_PAGES = 1000;

/**
 * Query string in the form the official SDKs send: arrays as `key[]=v`, objects as `key[op]=v`, every part
 * percent-encoded. Undefined, null and empty arrays are left out.
 */
export function encodeQuery(params: Params = {}): string {
  const parts: string[] = [];
  const add = (key: string, value: string | number | boolean) =>
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) {
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((v) => add(`${key}[]`, v));
    } else if (typeof value === 'object') {
      Object.entries(value).forEach(([op, v]) => add(`${key}[${op}]`, v));
    } else {
      add(key, value);
    }
  }
  return parts.join('&');
}

/** Seconds to wait after a 429: the `Retry-After` header when visible, else OpenAI's "try again in 20s". */
function retryAfterSeconds(err: unknown): number | undefined {
  const e = err as { headers?: { get?: (name: string) => string | null }; data?: { error?: { message?: string } } };
  const header = Number(e?.headers?.get?.('retry-after'));
  if (header > 0) {
    return header;
  }
  const m = /try again in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(e?.data?.error?.message ?? '');
  return m ? Number(m[1]) / (m[2].toLowerCase() === 'ms' ? 1000 : 1) : undefined;
}

export class AdminApiClient {
  readonly stats: ClientStats = { requests: 0, retries: 0, rateLimited: 0, cacheHits: 0 };
  readonly limiter: Limiter;
  readonly cache: RequestCache;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly backendSrv: () => BackendSrv;

  /** `baseUrl` is the data source's proxy URL, e.g. `/api/datasources/proxy/uid/abc`. */
  constructor(
    private readonly baseUrl: string,
    private readonly options: ClientOptions = {}
  ) {
    this.limiter = options.limiter ?? new Limiter({ store: options.paceStore });
    this.cache = options.cache ?? new RequestCache();
    this.maxAttempts = options.maxAttempts ?? 5;
    // Grafana's data source proxy gives up after 30 s by default ([dataproxy] timeout); a hung upstream must not
    // hold a panel for every try's full wait.
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.deadlineMs = options.deadlineMs ?? 90_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.backendSrv = options.backendSrv ?? getBackendSrv;
    this.organizationProblem = organizationIdProblem(options.organizationId);
  }

  /** Set when the Organization ID setting cannot be sent: every request fails at once with it. */
  readonly organizationProblem?: string;

  /** One GET, parsed as JSON; identical GETs in flight are sent once. `chainStep`: see Limiter.run. */
  getJson<T>(path: string, params?: Params, chainStep?: number): Promise<T> {
    if (this.organizationProblem) {
      return Promise.reject(new ApiError('organization', this.organizationProblem));
    }
    const query = encodeQuery(params);
    const url = `${this.baseUrl}${path}${query ? `?${query}` : ''}`;
    let loaded = false;
    const result = this.cache.get<T>(url, () => {
      loaded = true;
      return this.fetchWithRetry<T>(url, path, chainStep);
    });
    if (!loaded) {
      this.stats.cacheHits++;
    }
    return result;
  }

  /** Every item of a cursor list (`after` = the last item's id), all pages. */
  async listAll<T extends { id: string }>(path: string, params: Params = {}): Promise<T[]> {
    const items: T[] = [];
    let after: string | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      // The organization's names wait on every page of its lists, one after another.
      const res = await this.getJson<ListPage<T>>(path, { ...params, after }, page);
      if (!res || !Array.isArray(res.data)) {
        throw new ApiError('malformed', `The answer for ${path} is not a list (no "data" array).`, { path });
      }
      items.push(...res.data);
      if (!res.has_more) {
        return items;
      }
      const next = res.data[res.data.length - 1]?.id ?? res.last_id ?? undefined;
      if (!next) {
        // Stopping would drop items silently.
        throw new ApiError('malformed', `The list ${path} says it has more items but gives no cursor to them.`, {
          path,
        });
      }
      if (seen.has(next)) {
        throw new ApiError('malformed', cursorCycle(`The list ${describePath(path)}`), { path });
      }
      seen.add(next);
      after = next;
    }
    throw new ApiError('malformed', `The list ${path} has more than ${MAX_LIST_PAGES} pages.`, { path });
  }

  private async fetchWithRetry<T>(url: string, path: string, chainStep?: number): Promise<T> {
    const started = Date.now();
    const left = () => this.deadlineMs - (Date.now() - started);
    let last: ApiError | undefined;
    for (let attempt = 1; ; attempt++) {
      if (last && left() <= 0) {
        throw this.outOfTime(last, path, attempt - 1, Date.now() - started);
      }
      let startedAt: number | undefined;
      try {
        const value = await this.limiter.run((at) => {
          startedAt = at;
          return this.fetchOnce<T>(url, path, left());
        }, chainStep);
        this.limiter.onSuccess();
        return value;
      } catch (err) {
        if (!isRetryable(err)) {
          throw err;
        }
        last = err as ApiError;
        if (attempt >= this.maxAttempts) {
          throw this.outOfTime(last, path, attempt, Date.now() - started);
        }
        this.stats.retries++;
        const e = err as ApiError;
        if (e.kind === 'rateLimit') {
          this.stats.rateLimited++;
          const wait = e.retryAfter ?? Math.min(2 ** (attempt - 1), 30);
          // The limiter may pause the others too; this request waits out its own Retry-After whatever they do.
          this.limiter.onRateLimit(wait, startedAt);
          await this.sleep(wait * 1000);
        } else {
          await this.sleep(Math.min(250 * 2 ** attempt, 8000) * (0.5 + Math.random() / 2));
        }
      }
    }
  }

  /** The last failure, said as what happened over every try when the request ran out of time. */
  private outOfTime(last: ApiError, path: string, tries: number, elapsedMs: number): ApiError {
    if (last.kind !== 'timeout') {
      return last;
    }
    const seconds = Math.round(elapsedMs / 1000);
    return new ApiError(
      'timeout',
      `The API did not answer for ${describePath(path)}: ${tries} tries over ${seconds} s went unanswered, so the request was given up. OpenAI or the API endpoint may be overloaded or down; try again later or with a shorter time range.`,
      { path, status: last.status }
    );
  }

  private async fetchOnce<T>(url: string, path: string, budgetMs = this.timeoutMs): Promise<T> {
    this.stats.requests++;
    const headers: Record<string, string> = {};
    const organizationId = organizationIdValue(this.options.organizationId);
    if (organizationId) {
      headers['OpenAI-Organization'] = organizationId;
    }
    let data: unknown;
    const waitMs = Math.max(1, Math.min(this.timeoutMs, budgetMs));
    try {
      const response = await lastValueFrom(
        this.backendSrv()
          .fetch<T>({ url, method: 'GET', headers, showErrorAlert: false, showSuccessAlert: false })
          .pipe(timeout(waitMs))
      );
      data = response.data;
    } catch (err) {
      if ((err as Error)?.name === 'TimeoutError') {
        throw new ApiError('timeout', `The API did not answer within ${waitMs / 1000} s.`, { path });
      }
      const e = err as { status?: number; data?: unknown };
      throw errorFromResponse(e?.status, e?.data, path, e?.status === 429 ? retryAfterSeconds(err) : undefined);
    }
    if (data && typeof data === 'object' && 'error' in data && !('data' in data)) {
      // Some gateways pass OpenAI's error on with status 200: keep its message, never read it as an empty page.
      throw errorFromResponse(200, data, path);
    }
    if (data === null || typeof data !== 'object') {
      throw new ApiError(
        'malformed',
        `The answer for ${path} is not JSON (is the API endpoint an OpenAI-compatible API?).`,
        {
          path,
        }
      );
    }
    return data as T;
  }
}
