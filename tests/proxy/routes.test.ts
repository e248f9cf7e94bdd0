/** @jest-environment node */
/*
 * The admin key is only safe if Grafana's proxy can do nothing with it except GET /v1/organization/...
 * These tests read the real src/plugin.json, render its route the way Grafana does, and drive a
 * Grafana-like proxy against a stub upstream.
 */
import { existsSync, readFileSync } from 'fs';
import http, { IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';
import { lastValueFrom } from 'rxjs';

import { buildRequestUrl, createBackendSrv, recorded, resetRecorded } from './backendSrv';
import { DevProxy, startDevProxy } from './devProxy';
import { GRAFANA_ROUTE_DENIED, GRAFANA_WHITELIST_REFUSED } from '../../src/api/errors';
import {
  GrafanaRole,
  NO_VALUE,
  ORG_ROLE_HEADER,
  PluginRoute,
  applyRoute,
  DataSourceUrlError,
  cleanRelativePath,
  directorUrl,
  joinURLFragments,
  matchRoute,
  renderRouteTemplate,
  roleIncludes,
  validateDataSourceUrl,
  validateRoute,
} from './routeTemplate';

const SRC = join(__dirname, '../../src');
const pluginJson = JSON.parse(readFileSync(join(SRC, 'plugin.json'), 'utf8')) as {
  routes: PluginRoute[];
  includes?: Array<{ type: string; path?: string }>;
};
const routes = pluginJson.routes;
const KEY = 'sk-admin-test-0123456789';

describe('plugin.json routes', () => {
  it('has only GET routes under v1/organization', () => {
    expect(routes.length).toBeGreaterThan(1);
    for (const route of routes) {
      expect(route.method).toBe('GET');
      expect(route.path.startsWith('v1/organization')).toBe(true);
    }
  });

  it('lists every route before any route that would shadow it', () => {
    // Grafana takes the first prefix match, so a general route listed first would decide for a specific one.
    routes.forEach((route, i) => expect(matchRoute(routes, 'GET', route.path)).toBe(routes[i]));
  });

  it('has no url: Grafana keeps the data source URL, its URL check and its allow-list', () => {
    for (const route of routes) {
      expect(route).not.toHaveProperty('url');
      expect(applyRoute(route, `${route.path}/x`, { jsonData: {}, secureJsonData: { adminApiKey: KEY } }).url).toBe('');
    }
  });

  it('injects the admin key as a bearer token, and only into headers', () => {
    for (const r of routes) {
      expect(r.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.adminApiKey }}' }]);
    }
    const route = matchRoute(routes, 'GET', 'v1/organization/costs')!;
    const applied = applyRoute(route, 'v1/organization/costs', { jsonData: {}, secureJsonData: { adminApiKey: KEY } });
    expect(applied.headers).toEqual({ Authorization: `Bearer ${KEY}` });
    expect(applied.url).toBe('');
    // Without a saved key Grafana would send the literal "<no value>": the config editor must require the key.
    expect(applyRoute(route, 'v1/organization/costs', {}).headers.Authorization).toBe(`Bearer ${NO_VALUE}`);
  });

  it('lists bundled dashboards that exist and parse', () => {
    const dashboards = (pluginJson.includes ?? []).filter((include) => include.type === 'dashboard');
    expect(dashboards.length).toBeGreaterThan(0);
    for (const include of dashboards) {
      const file = join(SRC, include.path!);
      expect(existsSync(file)).toBe(true);
      expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
    }
  });
});

describe('route template rendering (Go text/template subset)', () => {
  const data = { jsonData: { a: 'x', n: 5000, big: 1000000, t: true, empty: '' }, secureJsonData: { s: 'secret' } };

  it('prints values the way Go does', () => {
    expect(renderRouteTemplate('{{ .JsonData.a }}-{{.SecureJsonData.s}}', data)).toBe('x-secret');
    expect(renderRouteTemplate('{{ .JsonData.n }} {{ .JsonData.big }} {{ .JsonData.t }}', data)).toBe(
      '5000 1e+06 true'
    );
    expect(renderRouteTemplate('[{{ .JsonData.missing }}]', data)).toBe(`[${NO_VALUE}]`);
    expect(renderRouteTemplate('[{{ .SecureJsonData.missing }}]', data)).toBe(`[${NO_VALUE}]`);
    expect(renderRouteTemplate('[{{ orEmpty .JsonData.missing }}]', data)).toBe('[]');
    expect(renderRouteTemplate('[{{ orEmpty .JsonData.a }}]', data)).toBe('[x]');
  });

  it('evaluates if/else with Go truthiness and trim markers', () => {
    expect(renderRouteTemplate('{{ if .JsonData.a }}yes{{ else }}no{{ end }}', data)).toBe('yes');
    expect(renderRouteTemplate('{{ if .JsonData.empty }}yes{{ else }}no{{ end }}', data)).toBe('no');
    expect(renderRouteTemplate('{{ if .JsonData.missing }}yes{{ end }}!', data)).toBe('!');
    expect(renderRouteTemplate('a  {{- if .JsonData.t -}}  b  {{- end -}}  c', data)).toBe('abc');
  });

  it('refuses syntax it does not implement instead of guessing', () => {
    expect(() => renderRouteTemplate('{{ index .JsonData "a" }}', data)).toThrow(/unsupported/);
    expect(() => renderRouteTemplate('{{ if .JsonData.a }}x', data)).toThrow(/end/);
  });
});

describe('route matching (Grafana prefix rule)', () => {
  it('cleans paths like plugins.CleanRelativePath', () => {
    expect(cleanRelativePath('/v1/organization/')).toBe('v1/organization');
    expect(cleanRelativePath('v1/organization/../chat/completions')).toBe('v1/chat/completions');
    expect(cleanRelativePath('../../etc')).toBe('etc');
  });

  it('matches only GET under v1/organization', () => {
    expect(matchRoute(routes, 'GET', 'v1/organization/usage/completions')?.path).toBe('v1/organization/usage');
    expect(matchRoute(routes, 'GET', 'v1/organization')?.path).toBe('v1/organization');
    // Go compares the method exactly; HTTP servers only ever pass upper-case methods.
    expect(matchRoute(routes, 'get', 'v1/organization')).toBeUndefined();
    for (const method of ['POST', 'DELETE', 'PUT', 'PATCH']) {
      expect(matchRoute(routes, method, 'v1/organization/admin_api_keys')).toBeUndefined();
    }
    expect(matchRoute(routes, 'GET', 'v1/chat/completions')).toBeUndefined();
    expect(matchRoute(routes, 'GET', 'v1/organization/../chat/completions')).toBeUndefined();
    expect(matchRoute(routes, 'GET', 'v1/models')).toBeUndefined();
  });

  it('treats v1/organization-evil as inside the general route, for organization Admins only', () => {
    // A plain string prefix: Grafana matches it too. It stays on the data source's host and under its path.
    const general = matchRoute(routes, 'GET', 'v1/organization-evil')!;
    expect(general.path).toBe('v1/organization');
    expect(general.reqRole).toBe('Admin');
    expect(directorUrl(validateDataSourceUrl('https://api.openai.com'), 'v1/organization-evil')).toBe(
      'https://api.openai.com/v1/organization-evil'
    );
  });

  it('honours "" and "*" as any method and takes the first match', () => {
    const custom: PluginRoute[] = [
      { path: 'a', method: '*', url: 'https://one.example' },
      { path: 'a/b', method: '', url: 'https://two.example' },
    ];
    expect(matchRoute(custom, 'DELETE', 'a/b')).toBe(custom[0]);
    expect(matchRoute(custom.slice(1), 'POST', 'a/b/c')).toBe(custom[1]);
  });

  it('joins URL fragments like util.JoinURLFragments', () => {
    expect(joinURLFragments('/v1/organization', '/costs')).toBe('/v1/organization/costs');
    expect(joinURLFragments('/v1/organization/', '/costs')).toBe('/v1/organization/costs');
    expect(joinURLFragments('/v1/organization', 'costs')).toBe('/v1/organization/costs');
    expect(joinURLFragments('/v1/organization', '')).toBe('/v1/organization');
    expect(joinURLFragments('', 'v1/organization/costs')).toBe('/v1/organization/costs');
  });
});

/** Paths an organization owner would not show to every Viewer, and paths every querying user needs. */
const ADMIN_PATHS = [
  'v1/organization/audit_logs',
  'v1/organization/audit_logs?effective_at[gte]=1',
  'v1/organization/admin_api_keys',
  'v1/organization/admin_api_keys/key_abc',
  'v1/organization/invites',
  'v1/organization/certificates',
  'v1/organization/groups',
  'v1/organization',
  // Cleaned before matching, so these reach the route they resolve to.
  'v1/organization/usage/../audit_logs',
  'v1/organization//admin_api_keys',
  'v1/organization/./invites',
];
const OPEN_PATHS = [
  'v1/organization/usage/completions',
  'v1/organization/costs',
  'v1/organization/projects',
  'v1/organization/projects/proj_1/api_keys',
  'v1/organization/users',
];

describe('who may read what (reqRole)', () => {
  const decide = (path: string, role: GrafanaRole) => validateRoute(routes, 'GET', path.split('?')[0], role).kind;

  it('orders roles as Grafana does', () => {
    expect(roleIncludes('Admin', 'Viewer')).toBe(true);
    expect(roleIncludes('Editor', 'Viewer')).toBe(true);
    expect(roleIncludes('Editor', 'Admin')).toBe(false);
    expect(roleIncludes('Viewer', 'Editor')).toBe(false);
    expect(roleIncludes('None', 'Viewer')).toBe(false);
  });

  it('lets every role read usage, costs and the lists names need', () => {
    for (const role of ['Viewer', 'Editor', 'Admin'] as const) {
      for (const path of OPEN_PATHS) {
        expect([path, role, decide(path, role)]).toEqual([path, role, 'matched']);
      }
    }
  });

  it('keeps audit logs, admin keys, invites and anything unlisted for organization Admins', () => {
    for (const path of ADMIN_PATHS) {
      expect([path, decide(path, 'Viewer'), decide(path, 'Editor'), decide(path, 'Admin')]).toEqual([
        path,
        'denied',
        'denied',
        'matched',
      ]);
    }
  });

  it('refuses on the first matching route without trying the next, as Grafana does', () => {
    const custom: PluginRoute[] = [
      { path: 'a/b', method: 'GET', reqRole: 'Admin' },
      { path: 'a', method: 'GET' },
    ];
    expect(validateRoute(custom, 'GET', 'a/b/c', 'Viewer').kind).toBe('denied');
    expect(validateRoute(custom, 'GET', 'a/c', 'Viewer')).toEqual({ kind: 'matched', route: custom[1] });
    // A lower-case role is title-cased when Grafana reads plugin.json; an unknown one fails the plugin.
    expect(validateRoute([{ path: 'a', reqRole: 'editor' }], 'GET', 'a', 'Viewer').kind).toBe('denied');
    expect(() => validateRoute([{ path: 'a', reqRole: 'Owner' }], 'GET', 'a', 'Admin')).toThrow(/invalid reqRole/);
    expect(() => validateRoute([{ path: 'a', reqAction: 'x:read' }], 'GET', 'a', 'Admin')).toThrow(/not modelled/);
  });
});

describe('where the key may go (the data source URL)', () => {
  const KEYED = routes.map((r) => r.path);

  it.each([
    ['https://api.openai.com', 'https://api.openai.com/v1/organization/costs'],
    ['https://api.openai.com/', 'https://api.openai.com/v1/organization/costs'],
    ['https://gw.example/openai', 'https://gw.example/openai/v1/organization/costs'],
    ['https://gw.example/openai/', 'https://gw.example/openai/v1/organization/costs'],
    ['http://gw.example:8080/a/b', 'http://gw.example:8080/a/b/v1/organization/costs'],
    // Grafana keeps scheme, host and path of the data source URL; a query or fragment there is ignored.
    ['https://api.openai.com?x=1#frag', 'https://api.openai.com/v1/organization/costs'],
    ['https://api.openai.com/#/evil.example', 'https://api.openai.com/v1/organization/costs'],
    // A bare host is read as http:// (validation.ValidateURL); the configuration page stores https.
    ['api.openai.com', 'http://api.openai.com/v1/organization/costs'],
  ])('%s: requests go to %s', (url, expected) => {
    expect(directorUrl(validateDataSourceUrl(url), 'v1/organization/costs')).toBe(expected);
  });

  it('appends the whole proxy path, so a URL ending in /v1 doubles it (Save & test and panels say so)', () => {
    expect(directorUrl(validateDataSourceUrl('https://api.openai.com/v1'), 'v1/organization/costs')).toBe(
      'https://api.openai.com/v1/v1/organization/costs'
    );
    expect(directorUrl(validateDataSourceUrl('https://api.openai.com/v1/'), 'v1/organization/costs')).toBe(
      'https://api.openai.com/v1/v1/organization/costs'
    );
  });

  it('leaves an empty URL with no host, and refuses one Go cannot parse', () => {
    expect(validateDataSourceUrl('')).toEqual({ scheme: 'http', host: '', path: '' });
    expect(() => validateDataSourceUrl('https://bad host')).toThrow(DataSourceUrlError);
    expect(() => validateDataSourceUrl('://x')).toThrow(DataSourceUrlError);
  });

  it('sends the key only to <scheme>://<host>[:port][/base]/v1/organization…, whatever path is asked for', () => {
    const urls = ['https://api.openai.com', 'https://gw.example:8443/openai/', 'http://127.0.0.1:4010/a?q#f'];
    const paths = [
      'v1/organization/costs?x=1#y',
      'v1/organization/usage/../../../chat/completions',
      'v1/organization/users#@evil.example/',
      'v1/organization/projects//evil.example/x',
      'v1/organization/costs/..%2F..%2F',
      'v1/organization@evil.example',
      'v1/organization\\evil',
    ];
    for (const url of urls) {
      const target = validateDataSourceUrl(url);
      const base = `${target.scheme}://${target.host}${target.path.replace(/\/+$/, '')}/v1/organization`;
      for (const path of paths) {
        const decision = validateRoute(routes, 'GET', path, 'Admin');
        if (decision.kind !== 'matched') {
          continue;
        }
        expect(KEYED).toContain(decision.route.path);
        const sent = directorUrl(target, path);
        expect([path, sent.startsWith(base)]).toEqual([path, true]);
        expect(new URL(sent).host).toBe(target.host);
      }
    }
  });
});

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  aborted: boolean;
}

/** A stub upstream that records what reaches it. */
async function startStub(): Promise<{ url: string; seen: SeenRequest[]; server: Server }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const entry: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, aborted: false };
    seen.push(entry);
    req.on('close', () => {
      if (!res.writableFinished) {
        entry.aborted = true;
      }
    });
    const path = (req.url ?? '').split('?')[0];
    if (path.endsWith('/unauthorized')) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided' } }));
    } else if (path.endsWith('/missing')) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Not found', type: 'invalid_request_error' } }));
    } else if (path.endsWith('/text')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('plain words');
    } else if (path.endsWith('/slow')) {
      const timer = setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"late":true}');
      }, 1500);
      res.on('close', () => clearTimeout(timer));
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': 'req_1' });
      res.end(JSON.stringify({ object: 'page', path, query: (req.url ?? '').split('?')[1] ?? '' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

/** Raw request, so paths like "../" reach the proxy exactly as written. */
function rawRequest(
  url: string,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {}
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request({ host: target.hostname, port: target.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('dev proxy against a stub upstream', () => {
  let stub: Awaited<ReturnType<typeof startStub>>;
  let proxy: DevProxy;
  let prefix: string;

  beforeAll(async () => {
    stub = await startStub();
    proxy = await startDevProxy({
      url: `${stub.url}/openai`,
      jsonData: {},
      secureJsonData: { adminApiKey: KEY },
      uid: 'openai-test',
    });
    prefix = new URL(proxy.proxyBase).pathname;
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => stub.server.close(() => resolve()));
  });

  beforeEach(() => {
    stub.seen.length = 0;
    proxy.requests.length = 0;
  });

  it('forwards GET with the key injected, the organization header and the query string unchanged', async () => {
    const query = '?start_time=1730419200&bucket_width=1d&group_by[]=model&group_by%5B%5D=project_id&limit=31';
    const res = await rawRequest(proxy.url, `${prefix}/v1/organization/usage/completions${query}`, 'GET', {
      'OpenAI-Organization': 'org-abc',
      Authorization: 'Bearer browser-supplied',
      Cookie: 'grafana_session=secret',
      Origin: 'http://localhost:3000',
      Referer: 'http://localhost:3000/d/x',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ object: 'page', path: '/openai/v1/organization/usage/completions' });
    expect(stub.seen).toHaveLength(1);
    const [upstream] = stub.seen;
    expect(upstream.url).toBe(`/openai/v1/organization/usage/completions${query}`);
    expect(upstream.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(upstream.headers['openai-organization']).toBe('org-abc');
    expect(upstream.headers.cookie).toBeUndefined();
    expect(upstream.headers.origin).toBeUndefined();
    expect(upstream.headers.referer).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('req_1');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(proxy.requests).toEqual([
      {
        method: 'GET',
        path: `v1/organization/usage/completions${query}`,
        role: 'Admin',
        upstreamUrl: `${stub.url}/openai/v1/organization/usage/completions${query}`,
        status: 200,
      },
    ]);
  });

  it.each<GrafanaRole>(['Viewer', 'Editor'])(
    'answers a %s 403 "plugin proxy route access denied" for admin data, forwarding nothing',
    async (role) => {
      for (const path of ADMIN_PATHS) {
        const res = await rawRequest(proxy.url, `${prefix}/${path}`, 'GET', { [ORG_ROLE_HEADER]: role });
        expect([path, res.status, JSON.parse(res.body)]).toEqual([path, 403, { message: GRAFANA_ROUTE_DENIED }]);
      }
      expect(stub.seen).toHaveLength(0);
      for (const path of OPEN_PATHS) {
        const res = await rawRequest(proxy.url, `${prefix}/${path}`, 'GET', { [ORG_ROLE_HEADER]: role });
        expect([path, res.status]).toEqual([path, 200]);
      }
      expect(stub.seen).toHaveLength(OPEN_PATHS.length);
      // The role header is the stand-in's session; it never reaches the API.
      expect(stub.seen.every((r) => r.headers[ORG_ROLE_HEADER.toLowerCase()] === undefined)).toBe(true);
    }
  );

  it('forwards admin data for an organization Admin', async () => {
    for (const path of ADMIN_PATHS.filter((p) => !p.includes('..') && !p.includes('/./'))) {
      const res = await rawRequest(proxy.url, `${prefix}/${path}`, 'GET', { [ORG_ROLE_HEADER]: 'Admin' });
      expect([path, res.status]).toEqual([path, 200]);
    }
    expect(stub.seen[0].headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('never adds the key to other methods or to paths outside the routes', async () => {
    // Grafana sends a request no route matches to the data source URL as it is, without the route's headers.
    for (const method of ['POST', 'DELETE', 'PUT', 'PATCH']) {
      await rawRequest(proxy.url, `${prefix}/v1/organization/admin_api_keys/key_1`, method);
    }
    for (const path of ['v1/chat/completions', 'v1/organization/../chat/completions', 'v1/models', '']) {
      await rawRequest(proxy.url, `${prefix}/${path}`);
    }
    expect(stub.seen).toHaveLength(8);
    for (const seen of stub.seen) {
      expect(seen.headers.authorization).toBeUndefined();
    }
  });

  it('keeps a prefix look-alike under the data source URL', async () => {
    const res = await rawRequest(proxy.url, `${prefix}/v1/organization-evil`);
    expect(res.status).toBe(200);
    expect(stub.seen.map((r) => r.url)).toEqual(['/openai/v1/organization-evil']);
  });

  it('answers a CORS preflight without forwarding it', async () => {
    const res = await rawRequest(proxy.url, `${prefix}/v1/organization/costs`, 'OPTIONS', {
      Origin: 'http://localhost:5173',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'openai-organization, x-grafana-org-id',
    });
    expect(res.status).toBe(204);
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/OpenAI-Organization/);
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/X-Grafana-Org-Id/);
    expect(stub.seen).toHaveLength(0);
  });

  it('turns an upstream 401 into a 400, as Grafana does', async () => {
    const res = await rawRequest(proxy.url, `${prefix}/v1/organization/unauthorized`);
    expect(res.status).toBe(400);
    expect(res.body).toBe('Authentication to data source failed');
    expect(res.body).not.toContain('Incorrect API key');
  });

  it('applies settings saved later', async () => {
    proxy.update({ secureJsonData: { adminApiKey: 'sk-admin-rotated' } });
    try {
      await rawRequest(proxy.url, `${prefix}/v1/organization/costs`);
      expect(stub.seen[0].headers.authorization).toBe('Bearer sk-admin-rotated');
    } finally {
      proxy.update({ secureJsonData: { adminApiKey: KEY } });
    }
  });

  /** One request for costs with the data source URL set to `url`; the usual URL comes back afterwards. */
  async function costsWithUrl(url: string) {
    proxy.update({ url });
    try {
      return await rawRequest(proxy.url, `${prefix}/v1/organization/costs`);
    } finally {
      proxy.update({ url: `${stub.url}/openai` });
    }
  }

  it.each([
    ['', '/v1/organization/costs'],
    ['/', '/v1/organization/costs'],
    ['/gw', '/gw/v1/organization/costs'],
    ['/gw/', '/gw/v1/organization/costs'],
  ])('URL <stub>%s reaches %s', async (suffix, expected) => {
    const res = await costsWithUrl(`${stub.url}${suffix}`);
    expect(res.status).toBe(200);
    expect(stub.seen.map((r) => r.url)).toEqual([expected]);
    expect(stub.seen[0].headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('answers 502 with nothing sent when the data source has no URL', async () => {
    const res = await costsWithUrl('');
    expect([res.status, res.body]).toEqual([502, '']);
    expect(stub.seen).toHaveLength(0);
  });

  it('answers 400 for a URL Grafana cannot parse', async () => {
    const res = await costsWithUrl('https://bad host');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ message: 'Invalid data source URL: "https://bad host"' });
  });

  it("applies data_source_proxy_whitelist to the data source URL's host", async () => {
    const host = new URL(stub.url).host;
    const blocked = await startDevProxy({
      url: stub.url,
      jsonData: {},
      secureJsonData: {},
      allowList: ['api.openai.com'],
    });
    const allowed = await startDevProxy({ url: stub.url, jsonData: {}, secureJsonData: {}, allowList: [host] });
    try {
      const no = await rawRequest(blocked.url, `${new URL(blocked.proxyBase).pathname}/v1/organization/costs`);
      expect(no.status).toBe(403);
      expect(no.body).toContain(GRAFANA_WHITELIST_REFUSED);
      expect(stub.seen).toHaveLength(0);
      const yes = await rawRequest(allowed.url, `${new URL(allowed.proxyBase).pathname}/v1/organization/costs`);
      expect(yes.status).toBe(200);
    } finally {
      await blocked.close();
      await allowed.close();
    }
  });

  it('answers the settings API to organization Admins only', async () => {
    const path = `/api/datasources/uid/openai-test`;
    const admin = await rawRequest(proxy.url, path, 'GET', { [ORG_ROLE_HEADER]: 'Admin' });
    expect(admin.status).toBe(200);
    expect(JSON.parse(admin.body)).toMatchObject({
      url: `${stub.url}/openai`,
      secureJsonFields: { adminApiKey: true },
    });
    expect(admin.body).not.toContain(KEY);
    const viewer = await rawRequest(proxy.url, path, 'GET', { [ORG_ROLE_HEADER]: 'Viewer' });
    expect(viewer.status).toBe(403);
  });

  it('returns 502 when the upstream is unreachable', async () => {
    const port = await closedPort();
    const down = await startDevProxy({
      url: `http://127.0.0.1:${port}`,
      jsonData: {},
      secureJsonData: { adminApiKey: KEY },
    });
    try {
      const res = await rawRequest(down.url, `${new URL(down.proxyBase).pathname}/v1/organization/costs`);
      expect(res.status).toBe(502);
      expect(down.requests[0]).toMatchObject({
        status: 502,
        upstreamUrl: `http://127.0.0.1:${port}/v1/organization/costs`,
      });
    } finally {
      await down.close();
    }
  });

  it('returns 504 when the upstream is slower than the timeout', async () => {
    const slow = await startDevProxy({
      url: stub.url,
      jsonData: {},
      secureJsonData: { adminApiKey: KEY },
      timeoutMs: 150,
    });
    try {
      const res = await rawRequest(slow.url, `${new URL(slow.proxyBase).pathname}/v1/organization/slow`);
      expect(res.status).toBe(504);
    } finally {
      await slow.close();
    }
  });
});

describe('backendSrv stand-in', () => {
  let stub: Awaited<ReturnType<typeof startStub>>;
  let proxy: DevProxy;
  const srv = createBackendSrv();

  beforeAll(async () => {
    stub = await startStub();
    proxy = await startDevProxy({ url: stub.url, jsonData: {}, secureJsonData: { adminApiKey: KEY } });
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => stub.server.close(() => resolve()));
  });

  beforeEach(() => {
    stub.seen.length = 0;
    resetRecorded();
  });

  it('serializes params like Grafana', () => {
    expect(
      buildRequestUrl({
        url: '/x',
        params: {
          start_time: 1,
          'group_by[]': ['model', 'project_id'],
          models: ['a', 'b'],
          empty: [],
          skip: undefined,
        },
      })
    ).toBe('/x?start_time=1&group_by%5B%5D=model&group_by%5B%5D=project_id&models=a&models=b');
    expect(buildRequestUrl({ url: '/x', params: { effective_at: { gte: 5 }, flag: true } })).toBe(
      '/x?effective_at%5Bgte%5D=5&flag=true'
    );
  });

  it('emits a FetchResponse with parsed JSON on 2xx', async () => {
    const response = await lastValueFrom(
      srv.fetch<{ object: string; query: string }>({
        url: `${proxy.proxyBase}/v1/organization/costs`,
        params: { start_time: 1730419200, 'group_by[]': ['line_item'] },
        headers: { 'OpenAI-Organization': 'org-abc' },
      })
    );
    expect(response).toMatchObject({ status: 200, ok: true, data: { object: 'page' } });
    expect(response.data.query).toBe('start_time=1730419200&group_by%5B%5D=line_item');
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(response.config.url).toBe(`${proxy.proxyBase}/v1/organization/costs`);
    expect(stub.seen[0].headers['openai-organization']).toBe('org-abc');
  });

  it('returns the raw text when the body is not JSON', async () => {
    const response = await lastValueFrom(srv.fetch<string>({ url: `${proxy.proxyBase}/v1/organization/text` }));
    expect(response.data).toBe('plain words');
  });

  it('errors with the FetchError shape Grafana produces', async () => {
    const auth = await lastValueFrom(srv.fetch({ url: `${proxy.proxyBase}/v1/organization/unauthorized` })).catch(
      (e: unknown) => e
    );
    expect(auth).toMatchObject({
      status: 400,
      isHandled: false,
      data: { message: 'Authentication to data source failed' },
      config: { url: `${proxy.proxyBase}/v1/organization/unauthorized` },
    });
    const missing = await lastValueFrom(srv.fetch({ url: `${proxy.proxyBase}/v1/organization/missing` })).catch(
      (e: unknown) => e
    );
    // OpenAI's `{ error: { message } }` is an object, so Grafana leaves data.message unset: read data.error.message.
    expect(missing).toMatchObject({ status: 404, data: { error: { message: 'Not found' } } });
    expect((missing as { data: { message?: string } }).data.message).toBeUndefined();
    // No route takes POST: Grafana passes it to the data source URL without the key.
    await lastValueFrom(srv.fetch({ url: `${proxy.proxyBase}/v1/chat/completions`, method: 'POST' }));
    expect(stub.seen.at(-1)).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
    expect(stub.seen.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('errors with status undefined on a network failure', async () => {
    const port = await closedPort();
    const err = await lastValueFrom(srv.fetch({ url: `http://127.0.0.1:${port}/v1/organization/costs` })).catch(
      (e: unknown) => e
    );
    expect(err).toMatchObject({
      status: undefined,
      statusText: 'network error',
      data: { message: expect.any(String) },
    });
    expect(err).toHaveProperty('status');
  });

  it('aborts the HTTP request when the subscriber unsubscribes', async () => {
    const subscription = srv.fetch({ url: `${stub.url}/v1/organization/slow` }).subscribe({ next: () => undefined });
    await waitFor(() => stub.seen.length === 1);
    subscription.unsubscribe();
    await waitFor(() => stub.seen[0].aborted);
    expect(stub.seen[0].aborted).toBe(true);
  });

  it('cancels an in-flight request replaced by one with the same requestId', async () => {
    const first = lastValueFrom(srv.fetch({ url: `${stub.url}/v1/organization/slow`, requestId: 'A' })).catch(
      (e: unknown) => e
    );
    await waitFor(() => stub.seen.length === 1);
    const second = lastValueFrom(srv.fetch({ url: `${stub.url}/v1/organization/costs`, requestId: 'A' }));
    expect(await first).toMatchObject({ cancelled: true, status: -1 });
    expect((await second).status).toBe(200);
  });

  it('records every request, none of which carries the admin key', async () => {
    await lastValueFrom(srv.fetch({ url: `${proxy.proxyBase}/v1/organization/projects`, params: { limit: 100 } }));
    const log = recorded();
    expect(log).toEqual([
      { method: 'GET', url: `${proxy.proxyBase}/v1/organization/projects?limit=100`, headers: expect.any(Object) },
    ]);
    expect(JSON.stringify(log)).not.toContain('sk-admin');
    expect(stub.seen[0].headers.authorization).toBe(`Bearer ${KEY}`);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
