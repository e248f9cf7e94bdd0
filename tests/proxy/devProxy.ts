/**
 * A stand-in for Grafana's data source proxy (/api/datasources/proxy/uid/<uid>/...) for this plugin, so tests,
 * the benchmark and a browser page can exercise the real routes of src/plugin.json without a Grafana server.
 *
 * Wire behaviour follows pkg/api/pluginproxy and pkg/util/proxyutil:
 * - the data source's URL field is checked as validation.ValidateURL does (400 "Invalid data source URL") and
 *   against `data_source_proxy_whitelist` (403); requests go to that URL with the whole proxy path appended;
 * - route match, role check and header templating as in routeTemplate.ts; the query string is forwarded
 *   unchanged; a route the signed-in user's role does not reach answers 403 "plugin proxy route access denied";
 *   a request no route matches goes to the data source URL without the route's headers (so without the key);
 * - Cookie, Origin, Referer and X-Forwarded-* are stripped; other browser headers (OpenAI-Organization) pass;
 *   route headers replace incoming headers of the same name;
 * - an upstream 401 becomes a 400 whose body is the plain text "Authentication to data source failed";
 * - upstream unreachable or no host (an empty URL) → 502, no response headers within the timeout → 504, both with
 *   an empty body;
 * - `GET /api/datasources/uid/<uid>` answers the settings to organization Admins (`datasources:read`) only.
 * - the answer is streamed through as it arrives, as Grafana's reverse proxy does.
 * The Grafana frontend's backendSrv turns those text or empty bodies into `data.message`; see backendSrv.ts.
 */
import { readFileSync } from 'fs';
import http, { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'http';
import https from 'https';
import { AddressInfo } from 'net';
import { resolve } from 'path';

import { GRAFANA_ROUTE_DENIED, GRAFANA_WHITELIST_REFUSED } from '../../src/api/errors';
import {
  GrafanaRole,
  ORG_ROLE_HEADER,
  PluginRoute,
  RouteTemplateData,
  TargetUrl,
  applyRoute,
  directorUrl,
  validateDataSourceUrl,
  validateRoute,
} from './routeTemplate';

export { ORG_ROLE_HEADER } from './routeTemplate';

export interface DevProxyOptions {
  /** The data source's URL field (where Grafana sends the proxied requests); may be empty, as when provisioned without one. */
  url: string;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
  /** Data source uid in the proxy URL. */
  uid?: string;
  /** 0 or unset picks a free port. */
  port?: number;
  host?: string;
  /** Grafana's [dataproxy] timeout: how long to wait for the upstream's response headers. */
  timeoutMs?: number;
  /** Defaults to this repository's src/plugin.json. */
  pluginJsonPath?: string;
  /** Organization role of the signed-in user when a request does not name one; default Admin. */
  role?: GrafanaRole;
  /** Grafana's `[security] data_source_proxy_whitelist`: the `host:port` values the proxy may reach; empty = any. */
  allowList?: string[];
  /** How long an idle connection from the browser stays open (Node's default is 5 s). */
  keepAliveMs?: number;
}

export interface DevProxyRequest {
  method: string;
  /** Proxy path after the data source prefix, with the query string, e.g. `v1/organization/costs?start_time=1`. */
  path: string;
  /** Where the request went, when it was forwarded. */
  upstreamUrl?: string;
  /** Status returned to the caller. */
  status: number;
  /** The organization role the request was checked against. */
  role?: GrafanaRole;
}

export interface DevProxy {
  /** http://host:port */
  url: string;
  /** `${url}/api/datasources/proxy/uid/${uid}`: what Grafana gives a proxy-mode data source as `instanceSettings.url`. */
  proxyBase: string;
  /** Replaces the data source settings, as saving the configuration page would. */
  update(settings: { url?: string; jsonData?: Record<string, unknown>; secureJsonData?: Record<string, string> }): void;
  requests: DevProxyRequest[];
  close(): Promise<void>;
}

const DEFAULT_PLUGIN_JSON = resolve(__dirname, '../../src/plugin.json');

/** Request headers never forwarded: hop-by-hop, and the ones Grafana removes. */
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'cookie',
  'origin',
  'referer',
  ORG_ROLE_HEADER.toLowerCase(),
]);

const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'set-cookie']);

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
  'Access-Control-Allow-Headers':
    'Accept, Content-Type, Authorization, OpenAI-Organization, X-Grafana-Org-Id, X-Grafana-Device-Id, ' +
    'X-Grafana-NoCache, X-Grafana-Action, X-Dashboard-Uid, X-Panel-Id, X-Plugin-Id, X-Datasource-Uid, X-Query-Group-Id, ' +
    ORG_ROLE_HEADER,
  'Access-Control-Expose-Headers': 'Content-Type, Retry-After, X-Request-Id',
  'Access-Control-Max-Age': '600',
};

const JSON_TYPE = 'application/json; charset=utf-8';

function loadRoutes(pluginJsonPath: string): PluginRoute[] {
  const pluginJson = JSON.parse(readFileSync(pluginJsonPath, 'utf8')) as { routes?: PluginRoute[] };
  return pluginJson.routes ?? [];
}

function send(res: ServerResponse, status: number, body: string, contentType?: string): void {
  const headers: OutgoingHttpHeaders = { ...CORS_HEADERS, 'Content-Length': Buffer.byteLength(body) };
  if (contentType) {
    headers['Content-Type'] = contentType;
  }
  res.writeHead(status, headers);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

function forwardHeaders(incoming: IncomingHttpHeaders, routeHeaders: Record<string, string>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(lower) || lower.startsWith('x-forwarded-')) {
      continue;
    }
    out[lower] = value;
  }
  // Grafana lets a browser pass its own credential as X-DS-Authorization.
  const dsAuth = out['x-ds-authorization'];
  if (dsAuth !== undefined) {
    delete out['x-ds-authorization'];
    out.authorization = String(dsAuth);
  }
  // Route headers use Header.Set, so they replace what the browser sent.
  for (const [name, value] of Object.entries(routeHeaders)) {
    out[name.toLowerCase()] = value;
  }
  return out;
}

function requestRole(headers: IncomingHttpHeaders, fallback: GrafanaRole): GrafanaRole {
  const named = headers[ORG_ROLE_HEADER.toLowerCase()];
  return typeof named === 'string' && named ? (named as GrafanaRole) : fallback;
}

export async function startDevProxy(opts: DevProxyOptions): Promise<DevProxy> {
  const uid = opts.uid ?? 'openai';
  const timeoutMs = opts.timeoutMs ?? 30000;
  const routes = loadRoutes(opts.pluginJsonPath ?? DEFAULT_PLUGIN_JSON);
  const settings: RouteTemplateData = { jsonData: { ...opts.jsonData }, secureJsonData: { ...opts.secureJsonData } };
  const state = { url: opts.url };
  const allowList = opts.allowList ?? [];
  const requests: DevProxyRequest[] = [];
  const prefix = `/api/datasources/proxy/uid/${uid}`;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const search = queryAt === -1 ? '' : rawUrl.slice(queryAt);

    // A browser's CORS preflight is answered here and never forwarded.
    if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    if (method === 'GET' && rawPath === `/api/datasources/uid/${uid}`) {
      // The settings API needs datasources:read, which Grafana grants to organization Admins.
      if (requestRole(req.headers, opts.role ?? 'Admin') !== 'Admin') {
        sendJson(res, 403, {
          title: 'Access denied',
          message: "You'll need additional permissions to perform this action. Permissions needed: datasources:read",
        });
        return;
      }
      const secureJsonFields = Object.fromEntries(Object.keys(settings.secureJsonData ?? {}).map((k) => [k, true]));
      sendJson(res, 200, { uid, access: 'proxy', url: state.url, jsonData: settings.jsonData, secureJsonFields });
      return;
    }
    if (rawPath !== prefix && !rawPath.startsWith(`${prefix}/`)) {
      sendJson(res, 404, { message: 'Data source not found' });
      return;
    }

    // Grafana takes the escaped path after the data source prefix as is.
    const proxyPath = rawPath.slice(prefix.length).replace(/^\//, '');
    const entry: DevProxyRequest = { method, path: proxyPath + search, status: 0 };
    requests.push(entry);
    const finish = (status: number, body: string, contentType?: string) => {
      entry.status = status;
      send(res, status, body, contentType);
    };

    const role = requestRole(req.headers, opts.role ?? 'Admin');
    entry.role = role;
    // NewDataSourceProxy: the data source URL must parse.
    let dsUrl: TargetUrl;
    try {
      dsUrl = validateDataSourceUrl(state.url);
    } catch {
      finish(400, JSON.stringify({ message: `Invalid data source URL: ${JSON.stringify(state.url)}` }), JSON_TYPE);
      return;
    }
    // validateRequest: the allow-list first. checkWhiteList writes its answer, then HandleRequest writes another.
    if (dsUrl.host !== '' && allowList.length > 0 && !allowList.includes(dsUrl.host)) {
      finish(
        403,
        JSON.stringify({ message: GRAFANA_WHITELIST_REFUSED }) +
          JSON.stringify({ message: 'target URL is not a valid target' }),
        JSON_TYPE
      );
      return;
    }
    const decision = validateRoute(routes, method, proxyPath, role);
    if (decision.kind === 'denied') {
      finish(403, JSON.stringify({ message: GRAFANA_ROUTE_DENIED }), JSON_TYPE);
      return;
    }

    let target: URL;
    let headers: OutgoingHttpHeaders;
    try {
      // A request no route matches still goes to the data source URL, without any route headers.
      const applied =
        decision.kind === 'matched' ? applyRoute(decision.route, proxyPath, settings) : { url: '', headers: {} };
      target = new URL((applied.url || directorUrl(dsUrl, proxyPath)) + search);
      headers = forwardHeaders(req.headers, applied.headers);
    } catch {
      // No host (an empty data source URL) or a route URL that renders to nothing usable: the transport fails, 502.
      finish(502, '');
      return;
    }
    entry.upstreamUrl = target.toString();

    const client = target.protocol === 'https:' ? https : http;
    let settled = false;
    const upstream = client.request(target, { method, headers }, (upstreamRes) => {
      clearTimeout(timer);
      if (settled) {
        upstreamRes.resume();
        return;
      }
      settled = true;
      const status = upstreamRes.statusCode ?? 502;
      if (status === 401) {
        // ds_proxy.go modifyResponse: the upstream's body and headers are dropped.
        upstreamRes.resume();
        finish(400, 'Authentication to data source failed', 'text/plain; charset=utf-8');
        return;
      }
      const outHeaders: OutgoingHttpHeaders = { ...CORS_HEADERS };
      for (const [name, value] of Object.entries(upstreamRes.headers)) {
        if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) {
          outHeaders[name] = value;
        }
      }
      entry.status = status;
      res.writeHead(status, outHeaders);
      // Passed on as it arrives, and read as fast as the API sends whatever the caller's pace, as a browser's
      // network stack does off the page's thread; a body cut off upstream is cut off here too.
      upstreamRes.on('data', (chunk: Buffer) => res.write(chunk));
      upstreamRes.on('end', () => res.end());
      upstreamRes.on('close', () => {
        if (!upstreamRes.complete) {
          res.destroy();
        }
      });
      upstreamRes.on('error', () => res.destroy());
    });
    const timer = setTimeout(() => {
      if (!settled) {
        settled = true;
        finish(504, '');
      }
      upstream.destroy();
    }, timeoutMs);
    upstream.on('error', () => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        finish(502, '');
      }
    });
    // The caller gave up: stop the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) {
        clearTimeout(timer);
        settled = true;
        upstream.destroy();
      }
    });
    req.pipe(upstream);
  };

  const server = http.createServer(handle);
  if (opts.keepAliveMs !== undefined) {
    server.keepAliveTimeout = opts.keepAliveMs;
  }
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  // A wildcard bind is reachable on loopback; name that in the URL callers use.
  const bound = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const host = bound.includes(':') ? `[${bound}]` : bound;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    proxyBase: `${url}${prefix}`,
    requests,
    update(next) {
      if (next.url !== undefined) {
        state.url = next.url;
      }
      if (next.jsonData) {
        settings.jsonData = { ...next.jsonData };
      }
      if (next.secureJsonData) {
        settings.secureJsonData = { ...next.secureJsonData };
      }
    },
    close() {
      return new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      });
    },
  };
}
