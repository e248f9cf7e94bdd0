/**
 * Grafana's data source proxy route handling, re-implemented for tests: the Go text/template subset that
 * plugin.json routes use, route matching (ds_proxy.go validateRequest) and route application
 * (ds_auth_provider.go ApplyRoute). Faithful on purpose, so a test can prove what Grafana would send.
 */
import { posix } from 'path';

export interface RouteHeader {
  name: string;
  content: string;
}

export interface PluginRoute {
  path: string;
  method?: string;
  url?: string;
  headers?: RouteHeader[];
  /** Least Grafana organization role that may use the route. */
  reqRole?: string;
  /** An RBAC action instead of a role; not used by this plugin, so not modelled. */
  reqAction?: string;
  [key: string]: unknown;
}

/** Grafana's organization roles (pkg/services/org RoleType), lowest first. */
export const GRAFANA_ROLES = ['None', 'Viewer', 'Editor', 'Admin'] as const;
export type GrafanaRole = (typeof GRAFANA_ROLES)[number];

/**
 * Grafana knows the signed-in user from the session; the stand-ins name the user's organization role in this
 * request header instead (the proxy never forwards it).
 */
export const ORG_ROLE_HEADER = 'X-Grafana-Org-Role';

export interface RouteTemplateData {
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

export interface AppliedRoute {
  url: string;
  headers: Record<string, string>;
}

/** What Go's text/template prints for a missing map key (or a nil value) with the default missingkey option. */
export const NO_VALUE = '<no value>';

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; expr: Expr }
  | { kind: 'if'; cond: Expr; then: Node[]; otherwise: Node[] };

type Expr = { kind: 'field'; path: string[] } | { kind: 'orEmpty'; arg: Expr };

interface Token {
  kind: 'text' | 'action';
  value: string;
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < template.length) {
    const open = template.indexOf('{{', pos);
    if (open === -1) {
      tokens.push({ kind: 'text', value: template.slice(pos) });
      break;
    }
    const close = template.indexOf('}}', open + 2);
    if (close === -1) {
      throw new Error(`unclosed action in template: ${template}`);
    }
    let text = template.slice(pos, open);
    let action = template.slice(open + 2, close);
    // Go trim markers: "{{- " trims the whitespace before, " -}}" the whitespace after.
    if (/^-\s/.test(action)) {
      text = text.replace(/\s+$/, '');
      action = action.slice(1);
    }
    let trimAfter = false;
    if (/\s-$/.test(action)) {
      action = action.slice(0, -1);
      trimAfter = true;
    }
    if (text) {
      tokens.push({ kind: 'text', value: text });
    }
    tokens.push({ kind: 'action', value: action.trim() });
    pos = close + 2;
    if (trimAfter) {
      while (pos < template.length && /\s/.test(template[pos])) {
        pos++;
      }
    }
  }
  return tokens;
}

function parseExpr(source: string): Expr {
  const words = source.split(/\s+/).filter(Boolean);
  if (words.length === 2 && words[0] === 'orEmpty') {
    return { kind: 'orEmpty', arg: parseExpr(words[1]) };
  }
  if (words.length === 1 && /^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(words[0])) {
    return { kind: 'field', path: words[0].slice(1).split('.') };
  }
  throw new Error(`unsupported template expression: {{ ${source} }}`);
}

function parse(tokens: Token[]): Node[] {
  let index = 0;
  // Returns the nodes up to a closing {{ else }} / {{ end }}, and which one closed them.
  const block = (): { nodes: Node[]; closedBy: 'else' | 'end' | 'eof' } => {
    const nodes: Node[] = [];
    while (index < tokens.length) {
      const token = tokens[index++];
      if (token.kind === 'text') {
        nodes.push({ kind: 'text', text: token.value });
        continue;
      }
      const action = token.value;
      if (action === 'else' || action === 'end') {
        return { nodes, closedBy: action };
      }
      if (action.startsWith('/*')) {
        continue; // {{/* comment */}}
      }
      const ifMatch = /^if\s+(.+)$/.exec(action);
      if (ifMatch) {
        const cond = parseExpr(ifMatch[1]);
        const first = block();
        let otherwise: Node[] = [];
        if (first.closedBy === 'else') {
          const second = block();
          if (second.closedBy !== 'end') {
            throw new Error('{{ if }} … {{ else }} without {{ end }}');
          }
          otherwise = second.nodes;
        } else if (first.closedBy !== 'end') {
          throw new Error('{{ if }} without {{ end }}');
        }
        nodes.push({ kind: 'if', cond, then: first.nodes, otherwise });
        continue;
      }
      nodes.push({ kind: 'print', expr: parseExpr(action) });
    }
    return { nodes, closedBy: 'eof' };
  };
  const top = block();
  if (top.closedBy !== 'eof') {
    throw new Error(`unexpected {{ ${top.closedBy} }}`);
  }
  return top.nodes;
}

function evaluate(expr: Expr, root: Record<string, unknown>): unknown {
  if (expr.kind === 'orEmpty') {
    // Grafana's orEmpty: nil becomes "", anything else passes through.
    const value = evaluate(expr.arg, root);
    return value === undefined || value === null ? '' : value;
  }
  let current: unknown = root;
  for (const key of expr.path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) {
      return undefined;
    }
    current = Object.prototype.hasOwnProperty.call(current, key)
      ? (current as Record<string, unknown>)[key]
      : undefined;
  }
  return current;
}

/** Go's isTrue: zero values (missing, nil, "", 0, false, empty map or slice) are false. */
function isTrue(value: unknown): boolean {
  if (value === undefined || value === null) {
    return false;
  }
  if (typeof value === 'string' || Array.isArray(value)) {
    return value.length > 0;
  }
  if (typeof value === 'number') {
    return value !== 0;
  }
  if (typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'object') {
    return Object.keys(value).length > 0;
  }
  return true;
}

/**
 * fmt's %v for a float64 (JSON numbers decode to float64 in Go): %g with the shortest digits, which switches to
 * exponent form below 1e-4 and from 1e6 up (5000 prints "5000", 1000000 prints "1e+06").
 */
function formatGoNumber(value: number): string {
  if (!Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  }
  if (value === 0) {
    return '0';
  }
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

function formatGoValue(value: unknown): string {
  if (value === undefined || value === null) {
    return NO_VALUE;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') {
    return formatGoNumber(value);
  }
  if (typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === null ? '<nil>' : formatGoValue(item))).join(' ')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${entries.map(([k, v]) => `${k}:${v === null ? '<nil>' : formatGoValue(v)}`).join(' ')}]`;
}

function renderNodes(nodes: Node[], root: Record<string, unknown>): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') {
      out += node.text;
    } else if (node.kind === 'print') {
      out += formatGoValue(evaluate(node.expr, root));
    } else {
      out += renderNodes(isTrue(evaluate(node.cond, root)) ? node.then : node.otherwise, root);
    }
  }
  return out;
}

/**
 * Renders a route template the way Grafana's interpolateString does (Go text/template, default missingkey,
 * plus `orEmpty`). Throws on syntax outside the supported subset rather than guessing.
 */
export function renderRouteTemplate(template: string, data: RouteTemplateData): string {
  const root = { JsonData: data.jsonData ?? {}, SecureJsonData: data.secureJsonData ?? {} };
  return renderNodes(parse(tokenize(template)), root);
}

/** plugins.CleanRelativePath: make absolute, clean, then relative to "/" again. */
export function cleanRelativePath(path: string): string {
  const cleaned = posix.normalize(posix.join('/', path));
  const relative = posix.relative('/', cleaned);
  return relative === '' ? '.' : relative;
}

/** CleanRelativePath for matching: a path that cleans to "." matches as "" (grafana/grafana#116273). */
function matchablePath(path: string): string {
  const cleaned = cleanRelativePath(path);
  return cleaned === '.' && path !== '.' ? '' : cleaned;
}

/**
 * Grafana's route selection: the method must match ("" or "*" mean any), the cleaned proxy path must start with
 * the cleaned route path (a plain string prefix, so "v1/organization" also matches "v1/organization-evil"), and
 * the first match wins.
 */
export function matchRoute<R extends PluginRoute>(
  routes: readonly R[] | undefined,
  method: string,
  proxyPath: string
): R | undefined {
  const requested = matchablePath(proxyPath);
  return (routes ?? []).find((route) => {
    if (route.method && route.method !== '*' && route.method !== method) {
      return false;
    }
    return requested.startsWith(matchablePath(route.path));
  });
}

/** A route's `reqRole` as Grafana reads it (RoleType.UnmarshalText title-cases it); undefined when there is none. */
export function routeRole(route: PluginRoute): GrafanaRole | undefined {
  if (route.reqRole === undefined || route.reqRole === '') {
    return undefined;
  }
  const titled = route.reqRole.charAt(0).toUpperCase() + route.reqRole.slice(1);
  if (!(GRAFANA_ROLES as readonly string[]).includes(titled)) {
    throw new Error(`invalid reqRole ${JSON.stringify(route.reqRole)}: Grafana would refuse to load the plugin`);
  }
  return titled as GrafanaRole;
}

/** RoleType.Includes: a role includes itself and every lower one. */
export function roleIncludes(role: GrafanaRole, required: GrafanaRole): boolean {
  return GRAFANA_ROLES.indexOf(role) >= GRAFANA_ROLES.indexOf(required);
}

/** ds_proxy.go hasAccessToRoute, for routes without `reqAction`. */
export function hasAccessToRoute(route: PluginRoute, role: GrafanaRole): boolean {
  if (route.reqAction) {
    throw new Error('routes with reqAction (RBAC) are not modelled here');
  }
  const required = routeRole(route);
  return required === undefined || roleIncludes(role, required);
}

export type RouteDecision<R> = { kind: 'matched'; route: R } | { kind: 'denied'; route: R } | { kind: 'none' };

/**
 * ds_proxy.go validateRequest for the routes: the first matching route decides. A user whose role it does not
 * include is refused (403) even when a later route would let them in.
 */
export function validateRoute<R extends PluginRoute>(
  routes: readonly R[] | undefined,
  method: string,
  proxyPath: string,
  role: GrafanaRole
): RouteDecision<R> {
  const route = matchRoute(routes, method, proxyPath);
  if (!route) {
    return { kind: 'none' };
  }
  return hasAccessToRoute(route, role) ? { kind: 'matched', route } : { kind: 'denied', route };
}

/** util.JoinURLFragments: exactly one slash between the two parts; an empty second part is dropped. */
export function joinURLFragments(a: string, b: string): string {
  if (b.length === 0) {
    return a;
  }
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) {
    return a + b.slice(1);
  }
  if (!aSlash && !bSlash) {
    return `${a}/${b}`;
  }
  return a + b;
}

/** The parts of a Go url.URL that the proxy uses. */
export interface TargetUrl {
  scheme: string;
  /** host[:port] as written, without user info. */
  host: string;
  path: string;
}

/** validation.URLValidationError: Grafana answers 400 `Invalid data source URL: "<url>"` with it. */
export class DataSourceUrlError extends Error {}

/**
 * validation.ValidateURL for a plugin data source: a URL without `scheme://` gets `http://` in front, then Go's
 * url.Parse. An empty URL passes and leaves the proxy with no host (the request then fails with 502).
 */
export function validateDataSourceUrl(raw: string): TargetUrl {
  const value = /^[^:]*:\/\//.test(raw) ? raw : `http://${raw}`;
  const m = /^([^:/?#]*):\/\/([^/?#]*)([^?#]*)/.exec(value);
  if (!m || !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(m[1])) {
    throw new DataSourceUrlError(`missing or invalid protocol scheme in ${JSON.stringify(raw)}`);
  }
  const host = m[2].replace(/^.*@/, '');
  if (!/^[A-Za-z0-9._~!$&'()*+,;=%-]*(:[0-9]*)?$/.test(host) && !/^\[[0-9A-Fa-f:.]+\](:[0-9]*)?$/.test(host)) {
    throw new DataSourceUrlError(`invalid host ${JSON.stringify(host)}`);
  }
  let path = m[3];
  try {
    path = decodeURIComponent(path);
  } catch {
    throw new DataSourceUrlError(`invalid escape in ${JSON.stringify(raw)}`);
  }
  return { scheme: m[1].toLowerCase(), host, path };
}

/** The director: the data source URL's scheme and host, its path joined with the whole proxy path. */
export function directorUrl(target: TargetUrl, proxyPath: string): string {
  return `${target.scheme}://${target.host}${joinURLFragments(target.path, proxyPath)}`;
}

/**
 * What ApplyRoute does to the outgoing request: a route with `url` replaces the scheme and host with the rendered
 * route URL's, and its path with that URL's path joined with the rest of the proxy path (the raw proxy path minus
 * route.path, as Grafana trims it); a route without `url` leaves the director's URL (`url` is then ""). Then the
 * rendered route headers. The query string is the caller's business (Grafana forwards it unchanged).
 */
export function applyRoute(route: PluginRoute, proxyPath: string, data: RouteTemplateData): AppliedRoute {
  const rest = proxyPath.startsWith(route.path) ? proxyPath.slice(route.path.length) : proxyPath;
  let url = '';
  if (route.url) {
    const rendered = renderRouteTemplate(route.url, data);
    let parsed: URL;
    try {
      parsed = new URL(rendered);
    } catch {
      // Grafana logs the parse error and leaves the request pointing at the data source URL.
      throw new Error(`route url does not render to an absolute URL: ${JSON.stringify(rendered)}`);
    }
    url = `${parsed.protocol}//${parsed.host}${joinURLFragments(parsed.pathname, rest)}`;
  }
  const headers: Record<string, string> = {};
  for (const header of route.headers ?? []) {
    headers[header.name] = renderRouteTemplate(header.content, data);
  }
  return { url, headers };
}
