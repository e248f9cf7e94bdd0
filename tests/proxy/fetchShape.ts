/**
 * What Grafana's frontend backend service does around the transport, shared by the Node stand-in (backendSrv.ts)
 * and the browser one (tests/sandbox/browserBackendSrv.ts): query-string building, JSON-or-text bodies, and the
 * FetchResponse / FetchError shapes a data source observes.
 *
 * The sandbox bundles this file for the browser, so it imports no Node built-ins.
 */
import type { BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import type { Subscriber } from 'rxjs';

/** Grafana's serializeParams (jquery-param style): arrays repeat the key, objects nest as key[sub]. */
export function serializeParams(params: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown) => {
    const v = typeof value === 'function' ? (value as () => unknown)() : value;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v === null || v === undefined ? '' : String(v))}`);
  };
  const build = (prefix: string, value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (/\[\]$/.test(prefix)) {
          add(prefix, item);
        } else {
          build(prefix, item);
        }
      }
    } else if (value && String(value) === '[object Object]') {
      for (const key of Object.keys(value as object)) {
        build(`${prefix}[${key}]`, (value as Record<string, unknown>)[key]);
      }
    } else {
      add(prefix, value);
    }
  };
  for (const key of Object.keys(params)) {
    build(key, params[key]);
  }
  return parts.join('&');
}

/** Grafana's parseUrlFromOptions: drop undefined and empty-array params, then serialize the rest. */
export function buildRequestUrl(options: BackendSrvRequest): string {
  if (!options.params) {
    return options.url;
  }
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.params)) {
    if (value === undefined || (value && (value as { length?: number }).length === 0)) {
      continue;
    }
    clean[key] = value;
  }
  const query = serializeParams(clean);
  if (!query) {
    return options.url;
  }
  return `${options.url}${options.url.includes('?') ? '&' : '?'}${query}`;
}

/** Grafana's default parseResponseBody: JSON when it parses, else the raw text. */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Grafana's processRequestError: `data` always ends up an object with a message. */
export function processRequestError(err: FetchError): FetchError {
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

/** The transport's answer, before Grafana's shaping. */
export interface ReceivedResponse {
  status: number;
  statusText: string;
  /** Only read for a 2xx answer, so a transport converts its headers only then. */
  headers: () => Headers;
  url: string;
  redirected: boolean;
  type: ResponseType;
}

/** Emits a 2xx answer as a FetchResponse and completes, or any other status as a FetchError. */
export function emitResponse<T>(
  subscriber: Subscriber<FetchResponse<T>>,
  options: BackendSrvRequest,
  response: ReceivedResponse,
  data: unknown
): void {
  const ok = response.status >= 200 && response.status < 300;
  if (!ok) {
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
    ok,
    headers: response.headers(),
    url: response.url,
    redirected: response.redirected,
    type: response.type,
    config: options,
  });
  subscriber.complete();
}

/**
 * Emits a request that never got an answer: Grafana's cancelled shape when it was aborted (by requestId or an
 * abortSignal), else a network error.
 */
export function emitFailure(
  subscriber: Subscriber<unknown>,
  options: BackendSrvRequest,
  err: unknown,
  aborted: boolean
): void {
  if (subscriber.closed) {
    return;
  }
  if (aborted) {
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
}
