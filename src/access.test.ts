/**
 * Who may read what: the routes of src/plugin.json as Grafana's proxy applies them to the signed-in user's
 * organization role, end to end from DataSource.query() and Save & test to the simulator.
 */
import { DataFrame, DataQueryResponse } from '@grafana/data';

import { GRAFANA_ROUTE_DENIED } from './api/errors';
import { Harness, startHarness } from '../tests/harness';
import { GrafanaRole } from '../tests/proxy/routeTemplate';
import { OpenAIQuery, QueryType } from './types';

const NOW = 1763900000;
const DAY = 86400;

const ADMIN_ONLY: Array<Partial<OpenAIQuery>> = [
  { queryType: QueryType.AuditLogs },
  { queryType: QueryType.Inventory, inventory: 'adminApiKeys' },
  { queryType: QueryType.Inventory, inventory: 'invites' },
];
const EVERYONE: Array<Partial<OpenAIQuery>> = [
  { queryType: QueryType.TimeSeries, source: 'completions', groupBy: ['project_id', 'user_id', 'api_key_id'] },
  { queryType: QueryType.TimeSeries, source: 'costs', groupBy: ['project_id'] },
  { queryType: QueryType.Inventory, inventory: 'projects' },
  { queryType: QueryType.Inventory, inventory: 'users' },
  { queryType: QueryType.Inventory, inventory: 'projectApiKeys' },
];

const frames = (res: DataQueryResponse) => res.data as DataFrame[];

describe.each<GrafanaRole>(['Viewer', 'Editor'])('a Grafana %s', (role) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: NOW, orgRole: role });
  });
  afterAll(() => h.close());

  it('reads usage, costs and the lists names need, with names instead of IDs', async () => {
    const res = await h.query(EVERYONE, NOW - 7 * DAY, NOW);
    expect(res.errors ?? []).toEqual([]);
    const names = frames(res).map((f) => f.fields[1]?.config?.displayNameFromDS ?? f.name ?? '');
    // Project names and user emails are in the series names, not bare IDs (a short `proj_…3fA9` suffix only
    // tells apart two projects of the same name).
    expect(names.some((n) => /@/.test(n))).toBe(true);
    expect(names.some((n) => /\bproj_[^…]/.test(n))).toBe(false);
  });

  it('is refused audit logs, admin keys and invites, each query on its own, saying who can read them', async () => {
    const before = h.sim.stats().log.length;
    const res = await h.query([...ADMIN_ONLY, EVERYONE[1]], NOW - 7 * DAY, NOW);
    const errors = res.errors ?? [];
    expect(errors.map((e) => e.refId)).toEqual(['A', 'B', 'C']);
    for (const error of errors) {
      expect(error.message).toMatch(/^Your Grafana role cannot read .+: only Grafana organization Admins can\./);
      expect(error.message).not.toMatch(/scope/i);
      expect(error.status).toBe(403);
    }
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('read audit logs'),
      expect.stringContaining('read admin api keys'),
      expect.stringContaining('read invites'),
    ]);
    // The costs query of the same panel still returns data.
    expect(frames(res).filter((f) => f.refId === 'D').length).toBeGreaterThan(0);
    // Nothing refused reached the API.
    const reached = h.sim
      .stats()
      .log.slice(before)
      .map((e) => e.path);
    expect(reached.filter((p) => /audit_logs|admin_api_keys|invites/.test(p))).toEqual([]);
    expect(h.proxy.requests.filter((r) => r.status === 403).every((r) => r.role === role)).toBe(true);
  });

  it('sees the refused row in Save & test as a role limit, not a missing scope', async () => {
    h.ds.client.cache.clear();
    const res = await h.ds.testDatasource();
    expect(res.status).toBe('warning');
    expect(res.message).toMatch(/Some data is not readable: audit logs\./);
    expect(res.details?.message).toContain(
      '✗ Audit logs: your Grafana role cannot read this; only Grafana organization Admins can'
    );
    expect(res.details?.message).not.toMatch(/scope/);
    expect(res.details?.verboseMessage).toContain(`Audit logs: HTTP 403: ${GRAFANA_ROUTE_DENIED}`);
  });
});

describe('a Grafana Admin', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: NOW, orgRole: 'Admin' });
  });
  afterAll(() => h.close());

  it('reads everything', async () => {
    const res = await h.query([...ADMIN_ONLY, ...EVERYONE], NOW - 7 * DAY, NOW);
    expect(res.errors ?? []).toEqual([]);
    expect((await h.ds.testDatasource()).status).toBe('success');
  });
});
