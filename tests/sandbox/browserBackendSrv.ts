/**
 * A fetch-based stand-in for Grafana's `getBackendSrv()` in the sandbox page. It keeps the semantics of
 * tests/proxy/backendSrv.ts (Grafana's frontend backend service as a data source observes it), sharing with it
 * tests/proxy/fetchShape.ts for jquery-param query strings, JSON-or-text bodies and the FetchError shape where
 * text bodies become `data.message`; cancellation on unsubscribe and by requestId is its own.
 */
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable, lastValueFrom } from 'rxjs';
import { buildRequestUrl, emitFailure, emitResponse, parseJsonOrText } from '../proxy/fetchShape';

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
      const url = buildRequestUrl(options);
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
          const data = parseJsonOrText(await response.text());
          emitResponse(
            subscriber,
            options,
            {
              status: response.status,
              statusText: response.statusText,
              headers: () => response.headers,
              url,
              redirected: response.redirected,
              type: response.type,
            },
            data
          );
        })
        .catch((err: unknown) => emitFailure(subscriber, options, err, controller.signal.aborted))
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
