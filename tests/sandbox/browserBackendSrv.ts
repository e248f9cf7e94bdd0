/**
 * A fetch-based stand-in for Grafana's `getBackendSrv()` in the sandbox page. It keeps the semantics of
 * tests/proxy/backendSrv.ts (Grafana's frontend backend service as a data source observes it): jquery-param
 * query strings, JSON-or-text bodies, the FetchError shape where text bodies become `data.message`,
 * cancellation on unsubscribe and by requestId.
 */
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { Observable, lastValueFrom } from 'rxjs';

/** Grafana's serializeParams: arrays repeat the key, objects nest as key[sub]. */
function serializeParams(params: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown) =>
    parts.push(
      `${encodeURIComponent(key)}=${encodeURIComponent(value === null || value === undefined ? '' : String(value))}`
    );
  const build = (prefix: string, value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach((item) => (/\[\]$/.test(prefix) ? add(prefix, item) : build(prefix, item)));
    } else if (value && String(value) === '[object Object]') {
      Object.entries(value as Record<string, unknown>).forEach(([k, v]) => build(`${prefix}[${k}]`, v));
    } else {
      add(prefix, value);
    }
  };
  Object.entries(params).forEach(([k, v]) => build(k, v));
  return parts.join('&');
}

function requestUrl(options: BackendSrvRequest): string {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.params ?? {})) {
    if (value !== undefined && !(value && (value as { length?: number }).length === 0)) {
      clean[key] = value;
    }
  }
  const query = serializeParams(clean);
  return query ? `${options.url}${options.url.includes('?') ? '&' : '?'}${query}` : options.url;
}

/** Grafana's processRequestError: `data` always ends up an object with a message. */
function processRequestError(err: FetchError): FetchError {
  if (err.data === undefined || err.data === null) {
    err.data = { message: 'Unexpected error' };
  }
  if (typeof err.data === 'string') {
    err.data = { message: err.data, error: err.statusText, response: err.data };
  }
  if (err.data && typeof err.data === 'object' && !err.data.message && typeof err.data.error === 'string') {
    err.data.message = err.data.error;
  }
  return err;
}

export function createBrowserBackendSrv(): BackendSrv {
  const inFlight = new Map<string, AbortController>();

  const fetchObservable = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      if (options.requestId) {
        // A new request with the same requestId cancels the previous one, as in Grafana.
        inFlight.get(options.requestId)?.abort();
        inFlight.set(options.requestId, controller);
      }
      const url = requestUrl(options);
      const method = (options.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = { accept: 'application/json, text/plain, */*' };
      for (const [name, value] of Object.entries(options.headers ?? {})) {
        if (value !== undefined && value !== null) {
          headers[name] = String(value);
        }
      }
      let body: string | undefined;
      if (options.data !== undefined && method !== 'GET' && method !== 'HEAD') {
        body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
        headers['content-type'] ??= 'application/json';
      }

      fetch(url, { method, headers, body, signal: controller.signal, credentials: 'same-origin' })
        .then(async (response) => {
          const text = await response.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // Grafana keeps a body that is not JSON as text.
          }
          if (!response.ok) {
            subscriber.error(
              processRequestError({
                status: response.status,
                statusText: response.statusText,
                data,
                config: options,
                isHandled: false,
              })
            );
            return;
          }
          subscriber.next({
            data: data as T,
            status: response.status,
            statusText: response.statusText,
            ok: true,
            headers: response.headers,
            url,
            redirected: response.redirected,
            type: response.type,
            config: options,
          });
          subscriber.complete();
        })
        .catch((err: unknown) => {
          if (subscriber.closed) {
            return;
          }
          if (controller.signal.aborted) {
            subscriber.error({
              type: 'cancelled',
              cancelled: true,
              data: null,
              status: -1,
              statusText: 'Request was aborted',
              config: options,
            });
            return;
          }
          const message = err instanceof Error ? err.message : String(err);
          subscriber.error({
            status: undefined,
            statusText: 'network error',
            data: { message },
            message,
            config: options,
            isHandled: false,
          });
        })
        .finally(() => {
          if (options.requestId && inFlight.get(options.requestId) === controller) {
            inFlight.delete(options.requestId);
          }
        });

      return () => controller.abort();
    });

  const request = async <T>(options: BackendSrvRequest): Promise<T> =>
    (await lastValueFrom(fetchObservable<T>(options))).data;

  const srv: Partial<BackendSrv> = {
    fetch: fetchObservable,
    get: (url: string, params?: Record<string, unknown>, requestId?: string, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, params, requestId, method: 'GET' }),
    post: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, data, method: 'POST' }),
  };
  return srv as BackendSrv;
}
