/**
 * The plugin as Grafana runs it, in Node: the OpenAI Admin API simulator, the data source proxy applying the
 * routes of src/plugin.json, Grafana's backend and template services, and the DataSource class on top.
 */
import { DataQueryResponse, DataSourceInstanceSettings } from '@grafana/data';
import { BackendSrv, setBackendSrv, setTemplateSrv } from '@grafana/runtime';

import { AdminApiClient, ClientOptions } from '../../src/api/client';
import { DataSource } from '../../src/datasource';
import { apiKeyLabel, distinctNames, projectName, userName } from '../../src/org/names';
import { QueryContext } from '../../src/query/context';
import { OrgDirectory } from '../../src/org/directory';
import { OpenAIDataSourceOptions, OpenAIQuery } from '../../src/types';
import { createBackendSrv } from '../proxy/backendSrv';
import { DevProxy, startDevProxy } from '../proxy/devProxy';
import { GrafanaRole } from '../proxy/routeTemplate';
import { Faults, Simulator, startSimulator } from '../simulator/server';
import { SimOrg } from '../simulator/org';
import { panelRequest } from './panelRequest';
import { TestVariable, createTemplateSrv } from './templateSrv';

export { panelRequest };

export interface HarnessOptions {
  key?: string;
  jsonData?: Partial<OpenAIDataSourceOptions>;
  /** Simulator clock, Unix seconds. */
  now?: number;
  faults?: Partial<Faults>;
  variables?: TestVariable[];
  /** How long the data source proxy waits for the API before answering 504, like Grafana's `[dataproxy] timeout`. */
  proxyTimeoutMs?: number;
  /** Grafana organization role of the signed-in user; default Admin. */
  orgRole?: GrafanaRole;
  /** The data source's URL field; default the simulator's address. */
  url?: string;
  /** Grafana's `data_source_proxy_whitelist`. */
  allowList?: string[];
  /** The data source's uid; each harness is its own data source by default, so none restores another's lists. */
  uid?: string;
  /** Tries, timeouts and waits of the data source's API client, for tests of hung or failing upstreams. */
  client?: Omit<ClientOptions, 'organizationId'>;
}

let harnesses = 0;

export interface Harness {
  sim: Simulator;
  proxy: DevProxy;
  ds: DataSource;
  /** Runs queries like a panel over [from, to) (Unix seconds). */
  query(
    targets: Array<Partial<OpenAIQuery>>,
    from: number,
    to: number,
    maxDataPoints?: number
  ): Promise<DataQueryResponse>;
  setVariables(variables: TestVariable[]): void;
  /** Another data source instance on the same proxy and clock (no shared caches), with other settings. */
  dataSource(jsonData?: Partial<OpenAIDataSourceOptions>, client?: HarnessOptions['client']): DataSource;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ now: options.now, faults: options.faults });
  const jsonData = { ...options.jsonData };
  const proxy = await startDevProxy({
    url: options.url ?? sim.url,
    allowList: options.allowList,
    jsonData,
    secureJsonData: { adminApiKey: options.key ?? 'sk-admin-sim-full' },
    timeoutMs: options.proxyTimeoutMs,
  });
  setBackendSrv(createBackendSrv({ orgRole: options.orgRole }));
  setTemplateSrv(createTemplateSrv(options.variables));
  const uid = options.uid ?? `openai-${++harnesses}`;
  const ds = new DataSource(instanceSettings(proxy.proxyBase, jsonData, uid), () => sim.now() * 1000, options.client);

  return {
    sim,
    proxy,
    ds,
    query(targets, from, to, maxDataPoints = 1000) {
      const withRefIds = targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), ...t }) as OpenAIQuery);
      return ds.query(panelRequest(withRefIds, from, to, maxDataPoints)) as Promise<DataQueryResponse>;
    },
    setVariables(variables) {
      setTemplateSrv(createTemplateSrv(variables));
    },
    dataSource(more = {}, client = options.client) {
      return new DataSource(
        instanceSettings(proxy.proxyBase, { ...jsonData, ...more }, `openai-${++harnesses}`),
        () => sim.now() * 1000,
        client
      );
    },
    async close() {
      await proxy.close();
      await sim.close();
    },
  };
}

/** The settings Grafana gives a proxy-mode data source of this plugin. */
export function instanceSettings(
  proxyBase: string,
  jsonData: OpenAIDataSourceOptions,
  uid = 'openai'
): DataSourceInstanceSettings<OpenAIDataSourceOptions> {
  return {
    id: 1,
    uid,
    type: 'aiusage-openai-datasource',
    name: 'OpenAI',
    url: proxyBase,
    access: 'proxy',
    jsonData,
    meta: { id: 'aiusage-openai-datasource' },
    readOnly: false,
  } as unknown as DataSourceInstanceSettings<OpenAIDataSourceOptions>;
}

export interface QueryContextOptions {
  /** The data source's jsonData as the runner sees it; none by default. */
  settings?: OpenAIDataSourceOptions;
  /** Grafana's backend service for this context's client only; a fresh stand-in by default. */
  backendSrv?: BackendSrv;
}

/**
 * What the data source hands a query runner, on the harness's proxy and clock. Each call gets its own client and
 * name cache, so one test's cached lists never spare another test a request.
 */
export function queryContext(h: Harness, options: QueryContextOptions = {}): QueryContext {
  const backendSrv = options.backendSrv ?? createBackendSrv();
  const client = new AdminApiClient(h.proxy.proxyBase, { backendSrv: () => backendSrv });
  return { client, names: new OrgDirectory(client, h.ds.now), settings: options.settings ?? {}, now: h.ds.now };
}

/**
 * One harness per admin key (name → key), each with its own simulator on the same clock, for tests that compare
 * what keys with different scopes may do.
 */
export async function startHarnesses<K extends string>(
  keys: Record<K, string>,
  options: Omit<HarnessOptions, 'key'> = {}
): Promise<Record<K, Harness>> {
  const started: Partial<Record<K, Harness>> = {};
  for (const name of Object.keys(keys) as K[]) {
    started[name] = await startHarness({ ...options, key: keys[name] });
  }
  return started as Record<K, Harness>;
}

/**
 * The names the plugin shows for the simulated organization's projects, users and API keys: each object's own
 * name, keys with their project, and a short ID suffix where two would read the same.
 */
export function simDisplayNames(org: SimOrg): Record<'project' | 'user' | 'apiKey', Map<string, string>> {
  const id = (x: { id: string }) => x.id;
  const project = distinctNames(org.projects, projectName, id);
  return {
    project,
    user: distinctNames(org.users, userName, id),
    apiKey: distinctNames(org.projectApiKeys, (k) => apiKeyLabel(k, project.get(k.project_id)!), id),
  };
}
