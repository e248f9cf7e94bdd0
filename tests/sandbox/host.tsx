/**
 * Sandbox host: loads the BUILT plugin (dist/module.js) the way Grafana does, as an AMD module whose
 * externals are the real @grafana/*, React and rxjs packages, installs the runtime services the plugin calls,
 * and renders its config editor, query editor and the query results. Dev tooling, not product code.
 */
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  CoreApp,
  DataFrame,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  DataSourcePlugin,
  DataSourceSettings,
  FieldType,
  GrafanaTheme2,
  LoadingState,
  PanelData,
  ThemeContext,
  TimeRange,
  applyFieldOverrides,
  createTheme,
  dateTime,
  getFieldDisplayName,
  outerJoinDataFrames,
} from '@grafana/data';
import { DataSourceSrv, setBackendSrv, setDataSourceSrv, setTemplateSrv } from '@grafana/runtime';
import { Alert, Button, GlobalStyles, Table } from '@grafana/ui';
import externals from 'sandbox:externals';
import { Observable, lastValueFrom } from 'rxjs';

import { SavedDashboard, defaultVariables, drawnPanels } from '../harness/dashboard';
import { createTemplateSrv } from '../harness/templateSrv';
import { LOADER_IDS } from '../tools/amd';
import { createBrowserBackendSrv } from './browserBackendSrv';
import { DashboardView, runPanel } from './dashboardView';

const PLUGIN_ID = 'aiusage-openai-datasource';
const DS_UID = 'openai';
/** What Grafana gives a proxy-mode data source as `instanceSettings.url`. */
const PROXY_BASE = `/api/datasources/proxy/uid/${DS_UID}`;

type AnyDataSource = DataSourceApi<any, any>;
type AnyPlugin = DataSourcePlugin<AnyDataSource, any, any, any>;
type Settings = DataSourceSettings<Record<string, unknown>, Record<string, string>>;

interface SandboxState {
  /** The data source's name, as provisioned. */
  name: string;
  url: string;
  jsonData: Record<string, unknown>;
  secureJsonFields: Record<string, boolean>;
  version: number;
  /** The panel time range, Unix milliseconds, fixed by the server's frozen clock. */
  range: { from: number; to: number };
}

// ---------------------------------------------------------------------------------------------------------
// A minimal AMD loader: webpack emits `define([...externals], factory)`; Grafana's SystemJS answers each id
// with a shared module and `module` with the script's own address (the bundle derives its public path from it).

type AmdFactory = (...deps: unknown[]) => unknown;
type AmdDefine = ((...args: unknown[]) => void) & { amd: object };
type AmdWindow = Window & { define?: AmdDefine; __grafana_public_path__?: string };

export function loadAmdModule(uri: string, provided: Record<string, unknown>): Promise<Record<string, unknown>> {
  const w = window as AmdWindow;
  return new Promise((resolve, reject) => {
    let definition: { deps: string[]; factory: AmdFactory } | undefined;
    // define(factory) | define(deps, factory) | define(id, deps, factory)
    const define = ((...args: unknown[]) => {
      const factory = args[args.length - 1];
      const deps = args.length > 1 && Array.isArray(args[args.length - 2]) ? (args[args.length - 2] as string[]) : [];
      definition = { deps, factory: typeof factory === 'function' ? (factory as AmdFactory) : () => factory };
    }) as AmdDefine;
    define.amd = {};
    w.define = define;

    const script = document.createElement('script');
    script.src = uri;
    script.onerror = () => reject(new Error(`Could not load ${uri}`));
    script.onload = () => {
      delete w.define;
      if (!definition) {
        reject(new Error(`${uri} did not call define()`));
        return;
      }
      const missing = definition.deps.filter((d) => !LOADER_IDS.has(d) && !(d in provided));
      if (missing.length) {
        reject(new Error(`${uri} needs externals the host does not provide: ${missing.join(', ')}`));
        return;
      }
      const exports: Record<string, unknown> = {};
      const args = definition.deps.map((d) => {
        switch (d) {
          case 'module':
            return { id: uri, uri };
          case 'exports':
            return exports;
          case 'require':
            return (id: string) => provided[id];
          default:
            return provided[d];
        }
      });
      try {
        const result = definition.factory(...args);
        resolve((result ?? exports) as Record<string, unknown>);
      } catch (err) {
        reject(err);
      }
    };
    document.head.appendChild(script);
  });
}

// ---------------------------------------------------------------------------------------------------------

function toSettings(state: SandboxState): Settings {
  return {
    id: 1,
    uid: DS_UID,
    orgId: 1,
    name: state.name,
    type: PLUGIN_ID,
    typeName: 'OpenAI Usage & Costs',
    typeLogoUrl: `public/plugins/${PLUGIN_ID}/img/logo.svg`,
    access: 'proxy',
    url: state.url,
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: true,
    jsonData: state.jsonData,
    secureJsonFields: state.secureJsonFields,
    readOnly: false,
    withCredentials: false,
    version: state.version,
  };
}

function toInstanceSettings(settings: Settings, plugin: AnyPlugin): DataSourceInstanceSettings<any> {
  return {
    id: settings.id,
    uid: settings.uid,
    type: settings.type,
    name: settings.name,
    url: PROXY_BASE,
    access: 'proxy',
    jsonData: settings.jsonData,
    readOnly: false,
    meta: plugin.meta ?? ({ id: PLUGIN_ID, name: settings.typeName } as any),
  } as DataSourceInstanceSettings<any>;
}

/** Grafana's services, pointed at the current data source instance. */
function installServices(
  current: () => { ds?: AnyDataSource; instance?: DataSourceInstanceSettings<any> },
  variables: Parameters<typeof createTemplateSrv>[0] = []
) {
  setBackendSrv(createBrowserBackendSrv());
  setTemplateSrv(createTemplateSrv(variables));
  const dataSourceSrv: Partial<DataSourceSrv> = {
    getInstanceSettings: () => current().instance,
    getList: () => (current().instance ? [current().instance!] : []),
    get: async () => {
      const ds = current().ds;
      if (!ds) {
        throw new Error('No data source yet');
      }
      return ds;
    },
    reload: () => undefined,
  };
  setDataSourceSrv(dataSourceSrv as DataSourceSrv);
}

async function runQuery(
  ds: AnyDataSource,
  query: Record<string, unknown>,
  range: TimeRange
): Promise<DataQueryResponse> {
  const request = {
    requestId: 'sandbox-A',
    interval: '1h',
    intervalMs: 3_600_000,
    maxDataPoints: 500,
    range,
    scopedVars: {},
    targets: [query],
    timezone: 'utc',
    app: CoreApp.PanelEditor,
    startTime: Date.now(),
  } as unknown as DataQueryRequest<any>;
  const out = ds.query(request);
  return out instanceof Observable ? lastValueFrom(out) : out;
}

interface SeriesTotal {
  name: string;
  total: number;
}

function seriesTotals(frames: DataFrame[]): SeriesTotal[] {
  const out: SeriesTotal[] = [];
  for (const frame of frames) {
    for (const field of frame.fields) {
      if (field.type === FieldType.number) {
        const total = field.values.reduce((sum: number, v: unknown) => sum + (typeof v === 'number' ? v : 0), 0);
        out.push({ name: getFieldDisplayName(field, frame, frames), total });
      }
    }
  }
  return out;
}

/** One wide frame (time + one column per series) with display processors, as a table panel would show. */
function tableFrame(frames: DataFrame[], theme: GrafanaTheme2): DataFrame | undefined {
  const withTime = frames.filter((f) => f.fields.some((x) => x.type === FieldType.time));
  const joined = withTime.length > 1 ? outerJoinDataFrames({ frames: withTime }) : (withTime[0] ?? frames[0]);
  if (!joined) {
    return undefined;
  }
  // Keep each series' name on its column once the frames are joined.
  const named: DataFrame = {
    ...joined,
    fields: joined.fields.map((f) =>
      f.type === FieldType.number
        ? { ...f, config: { ...f.config, displayName: getFieldDisplayName(f, joined, [joined]) } }
        : f
    ),
  };
  return applyFieldOverrides({
    data: [named],
    fieldConfig: { defaults: {}, overrides: [] },
    replaceVariables: (v: string) => v,
    theme,
    timeZone: 'utc',
  })[0];
}

/** The saved query the page opens with (`?query=<JSON>`), if any. */
function savedQuery(): Record<string, unknown> | undefined {
  const text = new URLSearchParams(window.location.search).get('query');
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

function Section({
  title,
  testId,
  queryType,
  children,
}: {
  title: string;
  testId: string;
  queryType?: string;
  children: React.ReactNode;
}) {
  return (
    <section
      data-testid={testId}
      data-query-type={queryType}
      style={{ marginBottom: 24, padding: 16, border: '1px solid rgba(204,204,220,0.15)', borderRadius: 4 }}
    >
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function App({ plugin, initial, theme }: { plugin: AnyPlugin; initial: SandboxState; theme: GrafanaTheme2 }) {
  const ConfigEditor = plugin.components.ConfigEditor!;
  const QueryEditor = plugin.components.QueryEditor!;
  const DataSourceClass = plugin.DataSourceClass as unknown as new (
    s: DataSourceInstanceSettings<any>
  ) => AnyDataSource;

  const [options, setOptions] = useState<Settings>(() => toSettings(initial));
  const [ds, setDs] = useState<AnyDataSource>(
    () => new DataSourceClass(toInstanceSettings(toSettings(initial), plugin))
  );
  const [testing, setTesting] = useState(false);
  const [testResult, setTestResult] = useState<
    { status: string; message: string; details?: string; verbose?: string } | undefined
  >();

  // A query on another source than the default, so choosing Costs and a grouping is a real edit; or the saved
  // query given as `?query=<JSON>`, as a dashboard would open it.
  const [query, setQuery] = useState<Record<string, unknown>>(
    () =>
      savedQuery() ?? {
        refId: 'A',
        queryType: 'timeSeries',
        schemaVersion: 1,
        source: 'completions',
        groupBy: [],
      }
  );
  const queryRef = useRef(query);
  const [result, setResult] = useState<{
    state: LoadingState;
    /** The type of the query this result answers. */
    queryType?: unknown;
    response?: DataQueryResponse;
    error?: string;
  }>({
    state: LoadingState.NotStarted,
  });
  const runSeq = useRef(0);

  const range: TimeRange = useMemo(() => {
    const from = dateTime(initial.range.from);
    const to = dateTime(initial.range.to);
    return { from, to, raw: { from, to } };
  }, [initial.range]);

  const current = useRef<{ ds?: AnyDataSource; instance?: DataSourceInstanceSettings<any> }>({});
  current.current = { ds, instance: toInstanceSettings(options, plugin) };
  useEffect(() => installServices(() => current.current), []);

  const onSaveAndTest = async () => {
    setTesting(true);
    setTestResult(undefined);
    try {
      // Like Grafana: the secret goes to the server once, then only `secureJsonFields` comes back.
      const res = await fetch('/sandbox/settings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          url: options.url,
          jsonData: options.jsonData,
          secureJsonData: options.secureJsonData ?? {},
        }),
      });
      if (!res.ok) {
        throw new Error(`Saving failed: ${res.status} ${await res.text()}`);
      }
      const saved = (await res.json()) as SandboxState;
      const next = toSettings({ ...saved, range: initial.range });
      setOptions(next);
      const fresh = new DataSourceClass(toInstanceSettings(next, plugin));
      current.current = { ds: fresh, instance: toInstanceSettings(next, plugin) };
      setDs(fresh);
      const r = (await fresh.testDatasource()) as {
        status?: string;
        message?: string;
        details?: { message?: string; verboseMessage?: string };
      };
      setTestResult({
        status: r.status ?? 'unknown',
        message: r.message ?? '',
        details: r.details?.message,
        verbose: r.details?.verboseMessage,
      });
    } catch (err) {
      const e = err as { message?: string; data?: { message?: string } };
      setTestResult({ status: 'error', message: e?.data?.message ?? e?.message ?? String(err) });
    } finally {
      setTesting(false);
    }
  };

  const onRun = useCallback(async () => {
    const seq = ++runSeq.current;
    const queryType = queryRef.current.queryType;
    setResult({ state: LoadingState.Loading, queryType });
    try {
      const response = await runQuery(current.current.ds!, queryRef.current, range);
      if (seq === runSeq.current) {
        setResult({ state: response.errors?.length ? LoadingState.Error : LoadingState.Done, queryType, response });
      }
    } catch (err) {
      if (seq === runSeq.current) {
        setResult({ state: LoadingState.Error, queryType, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }, [range]);

  const onQueryChange = (q: Record<string, unknown>) => {
    // Grafana updates its store synchronously, and onRunQuery that follows reads the new query.
    queryRef.current = q;
    setQuery(q);
  };

  const frames = result.response?.data ?? [];
  const errors = [
    ...(result.response?.errors ?? []).map((e) => e.message ?? String(e)),
    ...(result.error ? [result.error] : []),
  ];
  const totals = seriesTotals(frames);
  const table = tableFrame(frames, theme);
  const panelData: PanelData = {
    state: result.state,
    series: frames,
    timeRange: range,
    errors: result.response?.errors,
  };

  return (
    <div style={{ padding: 24, maxWidth: 1200 }}>
      <h2>OpenAI Usage &amp; Costs — plugin sandbox</h2>
      <Section title="Data source settings" testId="sandbox-config">
        <ConfigEditor options={options} onOptionsChange={setOptions as any} />
        <div style={{ marginTop: 16 }}>
          <Button data-testid="sandbox-save-test" onClick={onSaveAndTest} disabled={testing}>
            {testing ? 'Testing…' : 'Save & test'}
          </Button>
        </div>
        <div data-testid="sandbox-test-result" data-status={testResult?.status ?? ''} style={{ marginTop: 16 }}>
          {testResult && (
            <Alert
              severity={
                testResult.status === 'success' ? 'success' : testResult.status === 'warning' ? 'warning' : 'error'
              }
              title={testResult.message}
            >
              {/* As Grafana shows them: the details as plain text, the verbose part preformatted behind a toggle. */}
              {testResult.details}
              {testResult.verbose && (
                <details open style={{ whiteSpace: 'pre-wrap', marginTop: 8 }}>
                  {testResult.verbose}
                </details>
              )}
            </Alert>
          )}
        </div>
      </Section>

      <Section title="Query" testId="sandbox-query" queryType={String(query.queryType ?? '')}>
        <QueryEditor
          datasource={ds}
          query={query as any}
          onChange={onQueryChange}
          onRunQuery={onRun}
          range={range}
          data={panelData}
          app={CoreApp.PanelEditor}
        />
        <div style={{ marginTop: 16 }}>
          <Button data-testid="sandbox-run" icon="play" onClick={onRun}>
            Run
          </Button>
        </div>
      </Section>

      <Section title="Result" testId="sandbox-result">
        <div
          data-testid="sandbox-query-state"
          data-state={result.state}
          data-query-type={String(result.queryType ?? '')}
          style={{ marginBottom: 8 }}
        >
          State: {result.state}
        </div>
        {errors.length > 0 && (
          <div data-testid="sandbox-query-error">
            <Alert severity="error" title="Query error">
              {errors.join('\n')}
            </Alert>
          </div>
        )}
        <ul data-testid="sandbox-series" style={{ paddingLeft: 20, marginBottom: 8 }}>
          {totals.map((s) => (
            <li key={s.name} data-name={s.name} data-total={s.total}>
              {s.name}: {s.total.toFixed(2)}
            </li>
          ))}
        </ul>
        {table && (
          <div data-testid="sandbox-table" style={{ marginTop: 8 }}>
            <Table data={table} width={1100} height={320} />
          </div>
        )}
      </Section>
    </div>
  );
}

/**
 * `?dashboard=dashboards/<file>.json`: the bundled dashboard at that path of the plugin (as Grafana serves its
 * includes), every panel run at the page's clock and drawn on its grid.
 */
async function renderDashboard(
  plugin: AnyPlugin,
  initial: SandboxState,
  theme: GrafanaTheme2,
  path: string,
  render: (node: React.ReactNode) => void
) {
  const res = await fetch(`/public/plugins/${PLUGIN_ID}/${path}`);
  if (!res.ok) {
    throw new Error(`No dashboard at ${path}: ${res.status}`);
  }
  const dashboard = (await res.json()) as SavedDashboard;
  const DataSourceClass = plugin.DataSourceClass as unknown as new (
    s: DataSourceInstanceSettings<any>
  ) => AnyDataSource;
  const instance = toInstanceSettings(toSettings(initial), plugin);
  const ds = new DataSourceClass(instance);
  installServices(() => ({ ds, instance }), defaultVariables(dashboard));
  const now = Date.now();
  const results = await Promise.all(drawnPanels(dashboard.panels).map((p) => runPanel(ds, dashboard, p, now)));
  render(<DashboardView dashboard={dashboard} results={results} dsName={instance.name} theme={theme} />);
}

async function main() {
  const root = createRoot(document.getElementById('root')!);
  const theme = createTheme();
  const render = (node: React.ReactNode) =>
    root.render(
      <ThemeContext.Provider value={theme}>
        <GlobalStyles />
        {node}
      </ThemeContext.Provider>
    );
  try {
    const moduleUri = `${window.location.origin}/public/plugins/${PLUGIN_ID}/module.js`;
    const [exports, initial] = await Promise.all([
      loadAmdModule(moduleUri, externals),
      fetch('/sandbox/settings').then((r) => r.json() as Promise<SandboxState>),
    ]);
    const plugin = exports.plugin as AnyPlugin;
    // The plugin must get the host's own @grafana/data, as in Grafana, or `instanceof` checks break.
    if (!(plugin instanceof DataSourcePlugin)) {
      throw new Error('module.js does not export a DataSourcePlugin built on the shared @grafana/data');
    }
    const dashboardPath = new URLSearchParams(window.location.search).get('dashboard');
    if (dashboardPath) {
      await renderDashboard(plugin, initial, theme, dashboardPath, render);
    } else {
      render(<App plugin={plugin} initial={initial} theme={theme} />);
    }
    // The React the page runs, so the tests can tell which Grafana line they are on.
    document.body.dataset.react = React.version;
    document.body.dataset.sandbox = 'ready';
  } catch (err) {
    render(
      <Alert severity="error" title="The sandbox could not load the plugin" data-testid="sandbox-load-error">
        {err instanceof Error ? err.message : String(err)}
      </Alert>
    );
    document.body.dataset.sandbox = 'failed';
  }
}

main();
