/**
 * What the e2e specs share: the provisioned simulator data source, and the simulator's project names
 * (computed from the same seeded organization the docker compose simulator serves).
 */
import type { Response } from '@playwright/test';

import { SimOrg } from '../simulator/org';

export const PLUGIN_ID = 'aiusage-openai-datasource';
export const PROVISIONING_FILE = 'datasources.yml';
export const SIMULATOR_DS_NAME = 'OpenAI (simulator)';
/** Its uid in provisioning/datasources/datasources.yml, as dashboards' data source variable takes it. */
export const SIMULATOR_DS_UID = 'openai-simulator';
/** The simulator as Grafana's server reaches it (docker compose service). */
export const SIMULATOR_URL = 'http://simulator:8787';

/** Names of the simulator's active projects (seed 42, as `tests/simulator/main.ts` runs it). */
export function activeProjectNames(): string[] {
  const org = new SimOrg({ seed: 42, now: () => Math.floor(Date.now() / 1000) });
  return org.projects.filter((p) => p.status === 'active').map((p) => p.name);
}

/** A frontend data source never calls /api/ds/query: its queries go through the data source proxy. */
export const isProxyResponse = (r: Response) => r.url().includes('/api/datasources/proxy/');
