/**
 * A stand-in for Grafana's `getBackendSrv()` that performs real HTTP requests, for Jest and Node scripts. It copies
 * the behaviour of Grafana's frontend backend service that a data source can observe: query-string serialization,
 * body parsing, the FetchError shape (text bodies become `data.message`), cancellation on unsubscribe, and
 * replacement of an in-flight request with the same requestId. The part that does not depend on the transport is
 * shared with the browser stand-in through fetchShape.ts.
 *
 * Requests go through node:http(s) rather than the global fetch: Jest's jsdom environment, where data source
 * tests run, has no fetch, and @grafana/data cannot be loaded outside a DOM, so nothing here imports it.
 */
import http, { IncomingHttpHeaders } from 'http';
import https from 'https';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable, lastValueFrom } from 'rxjs';
import { buildRequestUrl, emitFailure, emitResponse, parseJsonOrText } from './fetchShape';
import { GrafanaRole, ORG_ROLE_HEADER } from './routeTemplate';

export { buildRequestUrl, serializeParams } from './fetchShape';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

const log: RecordedRequest[] = [];

/** Every request made by any stand-in so far, in order: tests check that none carries the admin key. */
export function recorded(): RecordedRequest[] {
  return [...log];
}

export function resetRecorded(): void {
  log.length = 0;
}

interface PreparedRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** Grafana's parseInitFromOptions, reduced to what an HTTP request needs. */
function prepare(options: BackendSrvRequest, orgRole?: GrafanaRole): PreparedRequest {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { accept: 'application/json, text/plain, */*' };
  if (orgRole) {
    // The signed-in user, as the session cookie would identify them to Grafana.
    headers[ORG_ROLE_HEADER.toLowerCase()] = orgRole;
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined && value !== null) {
      headers[name.toLowerCase()] = String(value);
    }
  }
  let body: string | undefined;
  if (options.data !== undefined && method !== 'GET' && method !== 'HEAD') {
    if (typeof options.data === 'string' || options.data instanceof URLSearchParams) {
      body = String(options.data);
    } else {
      body = JSON.stringify(options.data);
      headers['content-type'] ??= 'application/json';
    }
  }
  return { method, headers, body };
}

/** The subset of the Fetch API's Headers that callers use, for environments without a global Headers. */
class ResponseHeaders {
  private readonly map = new Map<string, string>();
  constructor(raw: IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) {
        this.map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
      }
    }
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  forEach(callback: (value: string, name: string) => void): void {
    this.map.forEach((value, name) => callback(value, name));
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
  if (typeof Headers === 'function') {
    const headers = new Headers();
    for (const [name, value] of Object.entries(raw)) {
      for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        headers.append(name, item);
      }
    }
    return headers;
  }
  return new ResponseHeaders(raw) as unknown as Headers;
}

interface RawResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(url: string, request: PreparedRequest, signal: AbortSignal, agent?: http.Agent): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error(`Invalid URL: ${url}`));
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const headers = { ...request.headers };
    if (request.body !== undefined) {
      headers['content-length'] = String(Buffer.byteLength(request.body));
    }
    const req = client.request(target, { method: request.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolvePromise({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks),
        })
      );
    });
    const onAbort = () => req.destroy(new Error('The operation was aborted'));
    if (signal.aborted) {
      onAbort();
    }
    signal.addEventListener('abort', onAbort);
    req.on('close', () => signal.removeEventListener('abort', onAbort));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Grafana's parseResponseBody: by default JSON when it parses, else the raw text. */
function parseBody(response: RawResponse, responseType: BackendSrvRequest['responseType']): unknown {
  const text = () => response.body.toString('utf8');
  switch (responseType) {
    case 'arraybuffer':
      return response.body.buffer.slice(response.body.byteOffset, response.body.byteOffset + response.body.length);
    case 'blob':
      throw new Error('responseType "blob" is not supported by the test stand-in');
    case 'text':
      return text();
    case 'json':
      return response.headers['content-length'] === '0' ? undefined : JSON.parse(text());
  }
  return parseJsonOrText(text());
}

function hasTraversal(url: string): boolean {
  let path = url.split('?')[0];
  try {
    path = decodeURIComponent(path);
  } catch {
    return true;
  }
  return /(^|[\\/])\.\.([\\/]|$)/.test(path);
}

export interface BackendSrvOptions {
  /** Organization role of the signed-in user, checked by the data source proxy stand-in. */
  orgRole?: GrafanaRole;
  /**
   * Connections to reuse, as a browser keeps its connection to Grafana open between a dashboard's refreshes: a request
   * on an open connection leaves at once, where a new one waits for the event loop to connect.
   */
  agent?: http.Agent;
}

export function createBackendSrv(srvOptions: BackendSrvOptions = {}): BackendSrv {
  const inFlight = new Map<string, () => void>();

  const fetchObservable = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      if (options.validatePath && hasTraversal(options.url)) {
        subscriber.error(new Error(`Invalid request path: ${options.url}`));
        return undefined;
      }
      const controller = new AbortController();
      let cancelledById = false;
      const cancelById = () => {
        cancelledById = true;
        controller.abort();
      };
      if (options.requestId) {
        // A new request with the same requestId cancels the previous one, as in Grafana.
        inFlight.get(options.requestId)?.();
        inFlight.set(options.requestId, cancelById);
      }
      const onExternalAbort = () => controller.abort();
      options.abortSignal?.addEventListener('abort', onExternalAbort);

      const url = buildRequestUrl(options);
      const prepared = prepare(options, srvOptions.orgRole);
      log.push({ method: prepared.method, url, headers: { ...prepared.headers } });

      const release = () => {
        options.abortSignal?.removeEventListener('abort', onExternalAbort);
        if (options.requestId && inFlight.get(options.requestId) === cancelById) {
          inFlight.delete(options.requestId);
        }
      };

      send(url, prepared, controller.signal, srvOptions.agent)
        .then((response) => {
          release();
          let data: unknown;
          try {
            data = parseBody(response, options.responseType);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          emitResponse(
            subscriber,
            options,
            {
              status: response.status,
              statusText: response.statusText,
              headers: () => toHeaders(response.headers),
              url,
              redirected: false,
              type: 'basic',
            },
            data
          );
        })
        .catch((err: unknown) => {
          release();
          emitFailure(subscriber, options, err, cancelledById || controller.signal.aborted);
        });

      // Unsubscribing aborts the HTTP request.
      return () => {
        release();
        controller.abort();
      };
    });

  const request = async <T>(options: BackendSrvRequest): Promise<T> =>
    (await lastValueFrom(fetchObservable<T>(options))).data;

  const notSupported = (name: string) => () => {
    throw new Error(`backendSrv.${name}() is not provided by the test stand-in`);
  };

  const srv: Partial<BackendSrv> = {
    fetch: fetchObservable,
    get: (url: string, params?: Record<string, unknown>, requestId?: string, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, params, requestId, method: 'GET' }),
    delete: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, data, method: 'DELETE' }),
    post: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, data, method: 'POST' }),
    patch: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, data, method: 'PATCH' }),
    put: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, data, method: 'PUT' }),
    chunked: notSupported('chunked'),
  };
  return srv as BackendSrv;
}

/** Makes `getBackendSrv()` from @grafana/runtime return a stand-in; returns it. */
export function installBackendSrv(): BackendSrv {
  // @grafana/runtime needs a DOM to load; requiring it here keeps the rest of this file usable from Node scripts.
  const runtime = require('@grafana/runtime') as typeof import('@grafana/runtime');
  const srv = createBackendSrv();
  runtime.setBackendSrv(srv);
  return srv;
}
