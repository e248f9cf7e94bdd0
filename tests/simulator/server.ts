/**
 * OpenAI Admin API simulator: an HTTP server answering the organization usage, costs and list endpoints
 * the way api.openai.com does, computed from a seeded organization (see org.ts), with injectable faults.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  cloneFaults,
  consume,
  cyclePage,
  defaultFaults,
  reshapeBuckets,
  serverErrorMessage,
  TokenBucket,
  withoutCursor,
  type Faults,
} from './faults';
import { ApiError, errorBody, Query } from './http';
import {
  getProject,
  listAdminApiKeys,
  listAuditLogs,
  listInvites,
  listProjectApiKeys,
  listProjects,
  listProjectServiceAccounts,
  listProjectUsers,
  listUsers,
} from './lists';
import { ORG_ID, SimOrg, type OrgSize } from './org';
import { BUCKET_PATHS, handleBuckets } from './usage';

export type { Faults } from './faults';
export { SimOrg, ORG_ID, LARGE_ORG, type OrgSize } from './org';

export interface SimulatorOptions {
  /** 0 = random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 42. */
  seed?: number;
  /** A generated organization of this size (e.g. LARGE_ORG) instead of the fixed small one. */
  org?: OrgSize;
  /** Unix seconds; when given the clock is frozen at it, else real time. */
  now?: number;
  faults?: Partial<Faults>;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  authorization?: string;
  organization?: string;
  /** Milliseconds since the epoch. */
  start: number;
  end: number;
}

export interface SimulatorStats {
  requests: number;
  byPath: Record<string, number>;
  rateLimited: number;
  peakInFlight: number;
  log: RequestLogEntry[];
}

export interface Simulator {
  url: string;
  port: number;
  /** Ground truth the responses are computed from. */
  org: SimOrg;
  stats(): SimulatorStats;
  resetStats(): void;
  /** Replaces the given fault settings; `now: null` returns to real time. */
  configure(f: Partial<Faults> & { now?: number | null }): void;
  now(): number;
  close(): Promise<void>;
}

type KeyScope = 'full' | 'usage-only' | 'audit-off';

/** Admin keys the simulator accepts. */
export const DEMO_KEYS: Record<string, { scope: KeyScope; description: string }> = {
  'sk-admin-sim-full': { scope: 'full', description: 'every endpoint' },
  'sk-admin-sim-usage-only': { scope: 'usage-only', description: 'usage and costs only (403 elsewhere)' },
  'sk-admin-sim-audit-off': { scope: 'audit-off', description: 'every endpoint; audit logging disabled' },
};

const MAX_LOG = 5000;
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, OpenAI-Organization, Content-Type',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Expose-Headers': 'Retry-After, x-request-id',
};

type Area = 'usage' | 'management' | 'audit';

interface Route {
  area: Area;
  handle: (q: Query) => unknown;
}

function maskKey(key: string): string {
  if (key.length <= 8) {
    return `${key.slice(0, 2)}***`;
  }
  return `${key.slice(0, 5)}${'*'.repeat(Math.min(20, Math.max(3, key.length - 9)))}${key.slice(-4)}`;
}

const MISSING_SCOPE: Record<Area, string> = {
  usage: 'api.usage.read',
  management: 'api.management.read',
  audit: 'api.audit_logs.read',
};

/** The body OpenAI would send with an injected status; 5xx are server errors, 4xx look like the real ones. */
function injectedFailure(status: number, area: Area): [unknown, Record<string, string>] {
  switch (status) {
    case 401:
      return [
        errorBody(
          'Incorrect API key provided: sk-ad***********-sim. You can find your API key at https://platform.openai.com/account/api-keys.',
          'invalid_request_error',
          null,
          'invalid_api_key'
        ),
        {},
      ];
    case 403:
      return [
        errorBody(
          `You have insufficient permissions for this operation. Missing scopes: ${MISSING_SCOPE[area]}.`,
          'invalid_request_error'
        ),
        {},
      ];
    case 404:
      return [errorBody('Not found.', 'invalid_request_error'), {}];
    case 429:
      return [
        errorBody(
          'Rate limit reached for admin requests. Please try again in 1s.',
          'requests',
          null,
          'rate_limit_exceeded'
        ),
        { 'Retry-After': '1' },
      ];
    default:
      return status >= 500
        ? [errorBody(serverErrorMessage(status), 'server_error'), {}]
        : [errorBody('Invalid request.', 'invalid_request_error'), {}];
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  let frozenNow: number | null = opts.now ?? null;
  const clock = () => frozenNow ?? Math.floor(Date.now() / 1000);
  const org = new SimOrg({ seed: opts.seed ?? 42, now: clock, size: opts.org });
  const baseFaults: Faults = { ...defaultFaults(), ...(opts.faults ?? {}) };
  let faults = cloneFaults(baseFaults);
  let bucket = faults.rateLimit ? new TokenBucket(faults.rateLimit.capacity, faults.rateLimit.refillPerSec) : null;

  const emptyStats = (): SimulatorStats => ({ requests: 0, byPath: {}, rateLimited: 0, peakInFlight: 0, log: [] });
  let stats = emptyStats();
  let inFlight = 0;
  const hung = new Set<http.ServerResponse>();

  const configure = (f: Partial<Faults> & { now?: number | null }) => {
    const { now, ...rest } = f;
    if (now !== undefined) {
      frozenNow = now;
    }
    faults = cloneFaults({ ...faults, ...rest });
    if ('rateLimit' in rest) {
      bucket = faults.rateLimit ? new TokenBucket(faults.rateLimit.capacity, faults.rateLimit.refillPerSec) : null;
    }
  };

  const route = (path: string): Route | null => {
    const usage = BUCKET_PATHS.get(path);
    if (usage) {
      return { area: 'usage', handle: (q) => handleBuckets(usage, q, org, { amountAsString: faults.amountAsString }) };
    }
    const simple: Record<string, Route> = {
      '/v1/organization/projects': { area: 'management', handle: (q) => listProjects(org, q) },
      '/v1/organization/users': { area: 'management', handle: (q) => listUsers(org, q) },
      '/v1/organization/admin_api_keys': { area: 'management', handle: (q) => listAdminApiKeys(org, q) },
      '/v1/organization/invites': { area: 'management', handle: (q) => listInvites(org, q) },
      '/v1/organization/audit_logs': { area: 'audit', handle: (q) => listAuditLogs(org, q) },
    };
    if (simple[path]) {
      return simple[path];
    }
    const m = /^\/v1\/organization\/projects\/([^/]+)(?:\/(api_keys|users|service_accounts))?$/.exec(path);
    if (!m) {
      return null;
    }
    const id = decodeURIComponent(m[1]);
    switch (m[2]) {
      case 'api_keys':
        return { area: 'management', handle: (q) => listProjectApiKeys(org, id, q) };
      case 'users':
        return { area: 'management', handle: (q) => listProjectUsers(org, id, q) };
      case 'service_accounts':
        return { area: 'management', handle: (q) => listProjectServiceAccounts(org, id, q) };
      default:
        return { area: 'management', handle: () => getProject(org, id) };
    }
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.writableEnded || res.destroyed) {
      return;
    }
    res.writeHead(status, {
      ...CORS_HEADERS,
      'Content-Type': 'application/json',
      'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
      ...headers,
    });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const sendError = (res: http.ServerResponse, err: ApiError, headers?: Record<string, string>) =>
    send(res, err.status, err.body(), headers);

  /** Authentication and permissions, in the order OpenAI checks them. */
  const authorize = (req: http.IncomingMessage, area: Area, path: string): ApiError | null => {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
    if (!m) {
      return new ApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.",
        'invalid_request_error',
        null,
        'invalid_api_key'
      );
    }
    const key = m[1].trim();
    const known = DEMO_KEYS[key];
    if (!known) {
      if (!key.startsWith('sk-admin-')) {
        // A project or user key: real, but not allowed on the Admin API.
        return new ApiError(
          401,
          `You have insufficient permissions for this operation. Missing scopes: ${MISSING_SCOPE[area]}. ` +
            'Check that you have the correct role in your organization (Owner), and if you are using a restricted key, that it has the necessary scopes. ' +
            'This endpoint requires an admin key: Admin API keys are required for the organization Admin API (project and user API keys cannot be used).',
          'invalid_request_error',
          null,
          null
        );
      }
      return new ApiError(
        401,
        `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        null,
        'invalid_api_key'
      );
    }
    const orgHeader = req.headers['openai-organization'];
    if (typeof orgHeader === 'string' && orgHeader !== '' && orgHeader !== ORG_ID) {
      // A wrong organization must not look like a bad key.
      return new ApiError(
        403,
        `No such organization: ${orgHeader}.`,
        'invalid_request_error',
        null,
        'no_such_organization'
      );
    }
    if (known.scope === 'usage-only' && area !== 'usage' && route(path)) {
      return new ApiError(
        403,
        `You have insufficient permissions for this operation. Missing scopes: ${MISSING_SCOPE[area]}.`,
        'invalid_request_error',
        null,
        null
      );
    }
    if (area === 'audit' && (known.scope === 'audit-off' || !faults.auditLogsEnabled)) {
      return new ApiError(
        403,
        'Audit logging is not enabled for this organization. An owner can enable it in Organization settings › Data controls.',
        'invalid_request_error',
        null,
        'audit_logs_not_enabled'
      );
    }
    return null;
  };

  const handleControl = async (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    if (path === '/__sim/stats' && req.method === 'GET') {
      send(res, 200, stats);
    } else if (path === '/__sim/reset' && req.method === 'POST') {
      stats = emptyStats();
      faults = cloneFaults(baseFaults);
      bucket = faults.rateLimit ? new TokenBucket(faults.rateLimit.capacity, faults.rateLimit.refillPerSec) : null;
      send(res, 200, { ok: true, faults, now: clock() });
    } else if (path === '/__sim/config' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) {
        body += String(chunk);
      }
      try {
        configure(body.trim() ? (JSON.parse(body) as Partial<Faults> & { now?: number | null }) : {});
      } catch {
        send(res, 400, errorBody('Body must be a JSON object of fault settings.', 'invalid_request_error'));
        return;
      }
      send(res, 200, { ok: true, faults, now: clock(), frozen: frozenNow !== null });
    } else {
      send(res, 404, errorBody(`Invalid URL (${req.method} ${path})`, 'invalid_request_error'));
    }
  };

  const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, path: string, rawQuery: string) => {
    const delay = faults.latencyMs + (faults.jitterMs > 0 ? Math.random() * faults.jitterMs : 0);
    if (delay > 0) {
      await new Promise((r) => setTimeout(r, delay));
    }
    if (bucket) {
      const wait = bucket.take();
      if (wait > 0) {
        stats.rateLimited++;
        send(
          res,
          429,
          errorBody(
            `Rate limit reached for admin requests. Please try again in ${wait}s.`,
            'requests',
            null,
            'rate_limit_exceeded'
          ),
          { 'Retry-After': String(wait) }
        );
        return;
      }
    }
    if (consume(faults.hangNext, path)) {
      hung.add(res);
      return;
    }
    const fail = faults.failNext.find((f) => f.count > 0 && (!f.pathPrefix || path.startsWith(f.pathPrefix)));
    if (fail) {
      fail.count--;
      const [body, headers] = injectedFailure(fail.status, route(path)?.area ?? 'management');
      send(res, fail.status, body, headers);
      return;
    }
    if (consume(faults.malformedNext, path)) {
      send(res, 200, '{"object": "page", "data": [{"object": "bucket", "start_time": 17');
      return;
    }
    if (consume(faults.okWithErrorNext, path)) {
      const f = faults.okWithErrorNext!;
      send(res, 200, errorBody(f.message, 'invalid_request_error', null, f.code ?? null));
      return;
    }
    const r = route(path);
    const authError = authorize(req, r?.area ?? 'management', path);
    if (authError) {
      sendError(res, authError);
      return;
    }
    if (req.method !== 'GET') {
      sendError(
        res,
        new ApiError(
          405,
          `Invalid method for URL (${req.method} ${path}): only GET is supported.`,
          'invalid_request_error',
          null,
          'method_not_allowed'
        )
      );
      return;
    }
    if (!r) {
      sendError(res, new ApiError(404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error'));
      return;
    }
    try {
      const cycle = faults.cursorCycle && path.startsWith(faults.cursorCycle.pathPrefix ?? '');
      const body = r.handle(new Query(cycle ? withoutCursor(rawQuery) : rawQuery)) as Record<string, unknown>;
      const odd = r.area === 'usage' && consume(faults.oddBucketsNext, path) ? faults.oddBucketsNext!.shape : null;
      const shaped = odd
        ? reshapeBuckets(body as unknown as Parameters<typeof reshapeBuckets>[0], rawQuery, odd)
        : body;
      send(res, 200, cycle ? cyclePage(shaped as Record<string, unknown>, rawQuery) : shaped);
    } catch (e) {
      if (e instanceof ApiError) {
        sendError(res, e);
      } else {
        send(res, 500, errorBody(serverErrorMessage(500), 'server_error'));
      }
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS_HEADERS, 'Access-Control-Max-Age': '600' });
      res.end();
      return;
    }
    if (path.startsWith('/__sim/')) {
      void handleControl(req, res, path);
      return;
    }
    const start = Date.now();
    stats.requests++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    const entryStats = stats;
    res.on('close', () => {
      inFlight--;
      hung.delete(res);
      const entry: RequestLogEntry = {
        method: req.method ?? 'GET',
        path,
        query: url.search.replace(/^\?/, ''),
        status: res.writableEnded ? res.statusCode : 0,
        start,
        end: Date.now(),
      };
      if (req.headers.authorization) {
        entry.authorization = req.headers.authorization;
      }
      const orgHeader = req.headers['openai-organization'];
      if (typeof orgHeader === 'string') {
        entry.organization = orgHeader;
      }
      entryStats.log.push(entry);
      if (entryStats.log.length > MAX_LOG) {
        entryStats.log.splice(0, entryStats.log.length - MAX_LOG);
      }
    });
    void handleApi(req, res, path, url.search.replace(/^\?/, ''));
  });
  // Longer than any client keeps an idle connection, so a client never reuses one the server is closing.
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    org,
    stats: () => ({ ...stats, byPath: { ...stats.byPath }, log: [...stats.log] }),
    resetStats: () => {
      stats = emptyStats();
    },
    configure,
    now: clock,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) {
          res.destroy();
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
