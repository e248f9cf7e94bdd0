/**
 * Inventory tables against the OpenAI Admin API simulator, through the data source proxy's routes: every
 * kind equals the simulator's ground truth, every page is followed, and a key without the management scope
 * fails these queries (and only these) with the scope message.
 */
import { DataFrame, FieldType, dateTime } from '@grafana/data';
import type { BackendSrv, BackendSrvRequest } from '@grafana/runtime';

import { Harness, queryContext, simDisplayNames, startHarnesses } from '../../tests/harness';
import { createBackendSrv } from '../../tests/proxy/backendSrv';
import { Simulator } from '../../tests/simulator/server';
import { QueryContext } from '../query/context';
import { runTimeSeries } from '../query/timeSeries';
import { InventoryKind, OpenAIQuery, QueryType } from '../types';
import { runInventory } from './runInventory';

const NOW = 1763900000; // 2025-11-23 12:13:20 UTC
const DAY = 86400;

const KEYS = { full: 'sk-admin-sim-full', usageOnly: 'sk-admin-sim-usage-only' };

let harnesses: Record<keyof typeof KEYS, Harness>;
/** The full key's simulator: the ground truth. */
let sim: Simulator;

beforeAll(async () => {
  harnesses = await startHarnesses(KEYS, { now: NOW });
  sim = harnesses.full.sim;
});
afterAll(() => Promise.all(Object.values<Harness>(harnesses ?? {}).map((h) => h.close())));
beforeEach(() => sim.resetStats());

/** Lists answer in pages of `pageSize` instead of 100, so following `after` is exercised on small lists too. */
function withPageSize(srv: BackendSrv, pageSize: number): BackendSrv {
  return Object.assign(Object.create(srv), {
    fetch: (options: BackendSrvRequest) =>
      srv.fetch({ ...options, url: options.url.replace(/([?&])limit=100(?=&|$)/, `$1limit=${pageSize}`) }),
  });
}

function context(key: keyof typeof KEYS = 'full', pageSize?: number): QueryContext {
  const backendSrv = pageSize ? withPageSize(createBackendSrv(), pageSize) : undefined;
  return queryContext(harnesses[key], { backendSrv });
}

const request = {
  range: { from: dateTime((NOW - 7 * DAY) * 1000), to: dateTime(NOW * 1000), raw: { from: 'now-7d', to: 'now' } },
  maxDataPoints: 1000,
  scopedVars: {},
};

async function inventory(kind: InventoryKind, extra: Partial<OpenAIQuery> = {}, ctx = context()): Promise<DataFrame> {
  const frames = await runInventory(
    ctx,
    { refId: 'A', queryType: QueryType.Inventory, inventory: kind, ...extra },
    request
  );
  expect(frames).toHaveLength(1);
  expect(frames[0].meta?.preferredVisualisationType).toBe('table');
  return frames[0];
}

function column(frame: DataFrame, name: string): unknown[] {
  const field = frame.fields.find((f) => f.name === name);
  if (!field) {
    throw new Error(`no column "${name}" in ${frame.fields.map((f) => f.name).join(', ')}`);
  }
  return [...field.values];
}

function types(frame: DataFrame): Record<string, FieldType> {
  return Object.fromEntries(frame.fields.map((f) => [f.name, f.type]));
}

/** One row per ID, as an object of column name → value. */
function rowsById(frame: DataFrame, idColumn: string): Map<string, Record<string, unknown>> {
  const ids = column(frame, idColumn) as string[];
  return new Map(ids.map((id, i) => [id, Object.fromEntries(frame.fields.map((f) => [f.name, f.values[i]]))]));
}

const listRequests = (path: string) => sim.stats().log.filter((e) => e.path === path);
const ms = (s: number | null) => (s ? s * 1000 : null);

describe('users', () => {
  it('lists every user with name, email, role and when they were added, IDs when name or email are missing', async () => {
    const frame = await inventory('users');
    expect(frame.name).toBe('Users');
    expect(types(frame)).toEqual({
      Name: FieldType.string,
      Email: FieldType.string,
      Role: FieldType.string,
      Added: FieldType.time,
      'Last API activity': FieldType.time,
      Tokens: FieldType.number,
      Requests: FieldType.number,
      'User ID': FieldType.string,
    });
    // Counted in the units of the usage series, so the table and the charts print tokens alike.
    const unit = (name: string) => frame.fields.find((f) => f.name === name)?.config.unit;
    expect([unit('Tokens'), unit('Requests')]).toEqual(['count:tokens', 'count:requests']);
    const rows = rowsById(frame, 'User ID');
    expect(rows.size).toBe(sim.org.users.length);
    for (const u of sim.org.users) {
      expect(rows.get(u.id)).toMatchObject({
        Name: u.name ?? u.email,
        Email: u.email,
        Role: u.role,
        Added: u.added_at * 1000,
      });
    }
    const noEmail = sim.org.users.find((u) => !u.email)!;
    expect(rows.get(noEmail.id)).toMatchObject({ Name: noEmail.name, Email: null });
    const noName = sim.org.users.find((u) => !u.name)!;
    expect(rows.get(noName.id)).toMatchObject({ Name: noName.email });
  });

  it.each(['30d', '7d', '90d'])(
    'tokens, requests and last activity over %s equal the completions usage',
    async (window) => {
      const frame = await inventory('users', { activityWindow: window });
      // Whole UTC days: the window starts at midnight, that many days back.
      const start = Math.floor(NOW / DAY) * DAY - parseInt(window, 10) * DAY;
      const rows = rowsById(frame, 'User ID');
      let active = 0;
      for (const u of sim.org.users) {
        const match = { user_id: u.id };
        const tokens =
          sim.org.sumUsage('completions', 'input_tokens', start, NOW, match) +
          sim.org.sumUsage('completions', 'output_tokens', start, NOW, match);
        const requests = sim.org.sumUsage('completions', 'num_model_requests', start, NOW, match);
        const lastEvent = Math.max(
          -Infinity,
          ...sim.org
            .events('completions', start, NOW)
            .filter((e) => e.dims.user_id === u.id)
            .map((e) => e.t)
        );
        // Daily buckets start at UTC midnight, except the first, which starts where the window does.
        const lastActive = lastEvent > -Infinity ? Math.max(start, Math.floor(lastEvent / DAY) * DAY) * 1000 : null;
        expect(rows.get(u.id)).toMatchObject({ Tokens: tokens, Requests: requests, 'Last API activity': lastActive });
        active += tokens > 0 ? 1 : 0;
      }
      expect(active).toBeGreaterThan(0);
      const usage = listRequests('/v1/organization/usage/completions');
      expect(usage.length).toBeGreaterThan(0);
      for (const e of usage) {
        expect(e.query).toContain('bucket_width=1d');
        expect(e.query).toContain('group_by%5B%5D=user_id');
      }
    }
  );

  it('refuses an activity window it cannot read', async () => {
    await expect(inventory('users', { activityWindow: 'a month' })).rejects.toThrow(/Activity window "a month"/);
  });

  it('follows every page of the user list', async () => {
    const frame = await inventory('users', {}, context('full', 5));
    expect(frame.length).toBe(sim.org.users.length);
    const pages = listRequests('/v1/organization/users');
    expect(pages).toHaveLength(Math.ceil(sim.org.users.length / 5));
    expect(pages.filter((e) => /(^|&)after=/.test(e.query))).toHaveLength(pages.length - 1);
  });
});

describe('projects', () => {
  it('lists every project, archived ones included, with status and dates', async () => {
    const frame = await inventory('projects', {}, context('full', 2));
    expect(types(frame)).toMatchObject({
      Name: FieldType.string,
      Status: FieldType.string,
      Archived: FieldType.boolean,
      Created: FieldType.time,
      'Archived at': FieldType.time,
    });
    const rows = rowsById(frame, 'Project ID');
    expect(rows.size).toBe(sim.org.projects.length);
    for (const p of sim.org.projects) {
      expect(rows.get(p.id)).toEqual({
        Name: p.name,
        Status: p.status,
        Archived: p.status === 'archived',
        Created: p.created_at * 1000,
        'Archived at': ms(p.archived_at),
        'Project ID': p.id,
      });
    }
    expect(column(frame, 'Archived')).toContain(true);
    const pages = listRequests('/v1/organization/projects');
    expect(pages.every((e) => e.query.includes('include_archived=true'))).toBe(true);
    expect(pages.some((e) => /(^|&)after=/.test(e.query))).toBe(true);
  });
});

describe('project API keys', () => {
  it('lists the keys of every project, archived ones and departed owners included, with names', async () => {
    const frame = await inventory('projectApiKeys', {}, context('full', 2));
    const rows = rowsById(frame, 'Key ID');
    expect(rows.size).toBe(sim.org.projectApiKeys.length);
    for (const k of sim.org.projectApiKeys) {
      const project = sim.org.projectById(k.project_id)!;
      const owner = k.owner.type === 'user' ? k.owner.user.email : k.owner.service_account.name;
      expect(rows.get(k.id)).toEqual({
        Name: k.name,
        Key: k.redacted_value,
        Project: project.name,
        Owner: owner,
        'Owner type': k.owner.type,
        'Owner access': k.owner_project_access,
        Created: k.created_at * 1000,
        'Last used': ms(k.last_used_at),
        'Key ID': k.id,
        'Project ID': k.project_id,
      });
    }
    expect(column(frame, 'Owner access')).toContain('inactive');
    expect(column(frame, 'Owner type')).toContain('service_account');
    const archived = sim.org.projects.find((p) => p.status === 'archived')!;
    expect(column(frame, 'Project')).toContain(archived.name);
    const keyLists = sim.stats().log.filter((e) => e.path.endsWith('/api_keys'));
    expect(keyLists.every((e) => e.query.includes('owner_project_access=any'))).toBe(true);
    expect(keyLists.some((e) => /(^|&)after=/.test(e.query))).toBe(true);
  });
  it('names a project whose keys the API refuses to list, and lists the others', async () => {
    const project = sim.org.projects.find((p) => p.name === 'Customer Support Bot')!;
    sim.configure({
      failNext: [{ status: 400, count: 1, pathPrefix: `/v1/organization/projects/${project.id}/api_keys` }],
    });
    try {
      const frame = await inventory('projectApiKeys');
      const others = sim.org.projectApiKeys.filter((k) => k.project_id !== project.id);
      expect(new Set(column(frame, 'Key ID'))).toEqual(new Set(others.map((k) => k.id)));
      expect(frame.meta?.notices).toEqual([
        expect.objectContaining({ severity: 'warning', text: expect.stringContaining(project.name) }),
      ]);
    } finally {
      sim.configure({ failNext: [] });
    }
  });
});

describe('admin API keys', () => {
  it('lists every admin key with owner, expiry and last use', async () => {
    const frame = await inventory('adminApiKeys', {}, context('full', 1));
    const rows = rowsById(frame, 'Key ID');
    expect(rows.size).toBe(sim.org.adminApiKeys.length);
    for (const k of sim.org.adminApiKeys) {
      expect(rows.get(k.id)).toEqual({
        Name: k.name,
        Key: k.redacted_value,
        Owner: k.owner.name,
        'Owner type': k.owner.type,
        Created: k.created_at * 1000,
        Expires: ms(k.expires_at),
        'Last used': ms(k.last_used_at),
        'Key ID': k.id,
      });
    }
    expect(types(frame)).toMatchObject({
      Created: FieldType.time,
      Expires: FieldType.time,
      'Last used': FieldType.time,
    });
    expect(listRequests('/v1/organization/admin_api_keys')).toHaveLength(sim.org.adminApiKeys.length);
  });
});

describe('invites', () => {
  it('lists every invite with its status, dates and project names', async () => {
    const frame = await inventory('invites', {}, context('full', 3));
    const rows = rowsById(frame, 'Invite ID');
    expect(rows.size).toBe(sim.org.invites.length);
    for (const i of sim.org.invites) {
      expect(rows.get(i.id)).toEqual({
        Email: i.email,
        Role: i.role,
        Status: i.status,
        Created: i.created_at * 1000,
        Expires: ms(i.expires_at),
        Accepted: ms(i.accepted_at),
        Projects: i.projects.map((p) => simDisplayNames(sim.org).project.get(p.id)).join(', '),
        'Invite ID': i.id,
      });
    }
    expect(listRequests('/v1/organization/invites').some((e) => /(^|&)after=/.test(e.query))).toBe(true);
  });
});

describe('service accounts', () => {
  it('lists the service accounts of every active project and says that archived ones are skipped', async () => {
    const frame = await inventory('serviceAccounts', {}, context('full', 1));
    const archived = sim.org.projects.filter((p) => p.status === 'archived');
    const expected = sim.org.serviceAccounts.filter((s) => !archived.some((p) => p.id === s.project_id));
    expect(expected.length).toBeLessThan(sim.org.serviceAccounts.length);
    const rows = rowsById(frame, 'Service account ID');
    expect(rows.size).toBe(expected.length);
    for (const s of expected) {
      expect(rows.get(s.id)).toEqual({
        Name: s.name,
        Project: sim.org.projectById(s.project_id)!.name,
        Role: s.role,
        Created: s.created_at * 1000,
        'Service account ID': s.id,
        'Project ID': s.project_id,
      });
    }
    expect(frame.meta?.notices).toEqual([
      expect.objectContaining({ severity: 'info', text: expect.stringContaining(archived[0].name) }),
    ]);
    const lists = sim.stats().log.filter((e) => e.path.endsWith('/service_accounts'));
    // The archived project is not asked: the API would answer 400.
    expect(lists.filter((e) => e.path.includes(archived[0].id))).toEqual([]);
    expect(lists.every((e) => e.status === 200)).toBe(true);
    expect(lists.some((e) => /(^|&)after=/.test(e.query))).toBe(true);
  });
});

describe('a key with the usage scope only', () => {
  it.each<InventoryKind>(['users', 'projects', 'projectApiKeys', 'adminApiKeys', 'invites', 'serviceAccounts'])(
    '%s fails with the missing scope',
    async (kind) => {
      await expect(inventory(kind, {}, context('usageOnly'))).rejects.toMatchObject({
        kind: 'scope',
        message: expect.stringContaining('missing scope api.management.read'),
      });
    }
  );

  it('still reads usage as time series', async () => {
    const query: OpenAIQuery = {
      refId: 'A',
      queryType: QueryType.TimeSeries,
      source: 'completions',
      bucketWidth: '1d',
    };
    const frames = await runTimeSeries(context('usageOnly'), query, request);
    expect(frames.length).toBeGreaterThan(0);
  });
});
