/**
 * The sandbox server: the OpenAI Admin API simulator (frozen clock), the Grafana-like data source proxy in
 * front of it, and one HTTP origin that serves the sandbox page, the built plugin under Grafana's public
 * path, a settings endpoint standing in for Grafana's data source API, and the data source proxy path.
 *
 * Usage: `tsx tests/sandbox/server.ts [--port 3030] [--grafana 13.2]` after `npm run build` and
 * `tsx tests/sandbox/build.ts`; without --grafana the page runs the line of the plugin's own dependencies.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { load as loadYaml } from 'js-yaml';

import { DevProxy, startDevProxy } from '../proxy/devProxy';
import { Simulator, startSimulator } from '../simulator/server';
import { hostBundleDir } from './build';
import { type GrafanaLine, grafanaLine, REPO_ROOT } from './grafana/lines';

const PLUGIN_ID = 'aiusage-openai-datasource';
const DS_UID = 'openai';
const DAY = 86400;
const PLUGIN_DIST = resolve(REPO_ROOT, 'dist');

/** The simulator's frozen clock (Unix seconds): a fixed instant keeps every number on the page the same. */
export const SANDBOX_NOW = Date.UTC(2025, 10, 14, 12) / 1000;

interface ProvisionedDataSource {
  name: string;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

/** The data source as the repository provisions it for Grafana (provisioning/datasources/datasources.yml). */
function provisionedDataSource(): ProvisionedDataSource {
  const file = resolve(REPO_ROOT, 'provisioning/datasources/datasources.yml');
  const yaml = loadYaml(readFileSync(file, 'utf8')) as { datasources: ProvisionedDataSource[] };
  const ds = yaml.datasources.find((d) => (d as unknown as { type: string }).type === PLUGIN_ID);
  if (!ds) {
    throw new Error(`${file} provisions no ${PLUGIN_ID} data source`);
  }
  return ds;
}

export interface SandboxOptions {
  /** 0 or unset picks a free port. */
  port?: number;
  host?: string;
  /** The Grafana line whose host page is served (grafana/lines.ts); the plugin's own by default. */
  grafana?: string;
}

export interface Sandbox {
  url: string;
  grafana: GrafanaLine;
  sim: Simulator;
  proxy: DevProxy;
  /** The page's panel time range, Unix seconds: the 7 whole days before the frozen clock's day. */
  range: { from: number; to: number };
  /** What the server stores, as Grafana's database would: tests check where the secret went. */
  stored(): { jsonData: Record<string, unknown>; secureJsonData: Record<string, string> };
  /** Back to the provisioned settings (full admin key). */
  reset(): void;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.md': 'text/markdown; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>OpenAI Usage &amp; Costs — plugin sandbox</title>
    <link rel="stylesheet" href="/sandbox/host.css" />
    <script>
      // What Grafana's index.html sets before any of its code runs.
      window.grafanaBootData = { settings: { featureToggles: {}, buildInfo: {} }, user: {}, navTree: [] };
      window.__grafana_public_path__ = '/public/';
    </script>
  </head>
  <body>
    <div id="root"></div>
    <script src="/sandbox/host.js"></script>
  </body>
</html>
`;

function sendFile(res: ServerResponse, dir: string, relative: string): void {
  const file = resolve(dir, relative);
  // Never serve outside the folder asked for.
  if (!(file === dir || file.startsWith(dir + sep)) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  createReadStream(file).pipe(res);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const line = grafanaLine(opts.grafana);
  const hostDir = hostBundleDir(line);
  const iconsDir = resolve(line.dir, 'node_modules/@grafana/ui/dist/public/img/icons');
  const sim = await startSimulator({ now: SANDBOX_NOW });
  // As provisioned, with the simulator as the endpoint.
  const source = provisionedDataSource();
  const provisioned = () => ({
    url: sim.url,
    jsonData: { ...source.jsonData },
    secureJsonData: { ...source.secureJsonData },
  });
  let stored = provisioned();
  let version = 1;
  const proxy = await startDevProxy({ ...stored, uid: DS_UID });
  const today = Math.floor(SANDBOX_NOW / DAY) * DAY;
  const range = { from: today - 7 * DAY, to: today };

  /** What Grafana's API returns about a data source: never the secrets, only which ones are set. */
  const publicSettings = () => ({
    name: source.name,
    url: stored.url,
    jsonData: stored.jsonData,
    secureJsonFields: Object.fromEntries(Object.entries(stored.secureJsonData).map(([k, v]) => [k, v !== ''])),
    version,
    range: { from: range.from * 1000, to: range.to * 1000 },
  });

  const save = (body: {
    url?: string;
    jsonData?: Record<string, unknown>;
    secureJsonData?: Record<string, string>;
  }) => {
    const jsonData = { ...(body.jsonData ?? {}) };
    // Grafana keeps a stored secret unless the save sends a new value for it ('' clears it).
    const secureJsonData = { ...stored.secureJsonData };
    for (const [k, v] of Object.entries(body.secureJsonData ?? {})) {
      if (typeof v === 'string') {
        secureJsonData[k] = v;
      }
    }
    stored = { url: typeof body.url === 'string' ? body.url : '', jsonData, secureJsonData };
    version++;
    proxy.update(stored);
  };

  const proxyPrefix = `/api/datasources/proxy/uid/${DS_UID}`;
  const target = new URL(proxy.url);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    // Grafana's proxy and its settings API, on the same origin as the page as in Grafana.
    if (path === proxyPrefix || path.startsWith(`${proxyPrefix}/`) || path === `/api/datasources/uid/${DS_UID}`) {
      // Same origin as the page, as in Grafana: the browser never talks to the proxy's own port.
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method,
          headers: { ...req.headers, host: target.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        }
      );
      upstream.on('error', () => {
        if (!res.headersSent) {
          res.writeHead(502).end();
        }
      });
      req.pipe(upstream);
      return;
    }
    if (path === '/sandbox/settings') {
      if (method === 'POST') {
        try {
          save(JSON.parse(await readBody(req)));
        } catch (err) {
          json(res, 400, { message: `Bad settings: ${err instanceof Error ? err.message : String(err)}` });
          return;
        }
      }
      json(res, 200, publicSettings());
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
      return;
    }
    if (path.startsWith('/sandbox/')) {
      sendFile(res, hostDir, decodeURIComponent(path.slice('/sandbox/'.length)));
      return;
    }
    const pluginPrefix = `/public/plugins/${PLUGIN_ID}/`;
    if (path.startsWith(pluginPrefix)) {
      sendFile(res, PLUGIN_DIST, decodeURIComponent(path.slice(pluginPrefix.length)));
      return;
    }
    if (path.startsWith('/public/build/img/icons/')) {
      sendFile(res, iconsDir, decodeURIComponent(path.slice('/public/build/img/icons/'.length)));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500).end();
      }
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    grafana: line,
    sim,
    proxy,
    range,
    stored: () => ({ jsonData: { ...stored.jsonData }, secureJsonData: { ...stored.secureJsonData } }),
    reset() {
      stored = provisioned();
      version++;
      proxy.update(stored);
    },
    async close() {
      await new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      });
      await proxy.close();
      await sim.close();
    },
  };
}

if (require.main === module) {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > -1 ? process.argv[i + 1] : undefined;
  };
  const port = Number(flag('--port') ?? 3030);
  const grafana = flag('--grafana');
  if (!existsSync(resolve(hostBundleDir(grafanaLine(grafana)), 'host.js'))) {
    console.error('The host page is not built: run `npm run build && tsx tests/sandbox/build.ts` first.');
    process.exit(1);
  }
  startSandbox({ port, grafana }).then((s) => {
    console.log(
      `Sandbox with Grafana ${s.grafana.grafana} at ${s.url} (simulator ${s.sim.url}, proxy ${s.proxy.url}). Ctrl+C to stop.`
    );
    process.on('SIGINT', () => s.close().then(() => process.exit(0)));
  });
}
