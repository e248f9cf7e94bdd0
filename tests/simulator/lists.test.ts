/** @jest-environment node */
/** Cursor lists: pagination with after, archived projects, key visibility, audit log filters. */
import { startSimulator, type Simulator } from './server';
import { api, DAY, NOW } from './testkit';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ now: NOW });
});
afterAll(() => sim.close());

async function walk(
  path: string,
  params: Record<string, string | number | string[]>,
  limit: number
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const res = await api(sim, path, { ...params, limit, after });
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.data.map((x: { id: string }) => x.id));
    if (res.body.data.length) {
      expect(res.body.first_id).toBe(res.body.data[0].id);
      expect(res.body.last_id).toBe(res.body.data[res.body.data.length - 1].id);
    }
    if (!res.body.has_more) {
      return ids;
    }
    after = res.body.last_id;
  }
  throw new Error('list did not end');
}

test('organization shape', () => {
  const org = sim.org;
  expect(org.id).toBe('org-sim0001');
  expect(org.projects.filter((p) => p.status === 'active').length).toBeGreaterThanOrEqual(5);
  expect(org.projects.find((p) => p.name === 'Legacy Prototype')).toMatchObject({
    status: 'archived',
    archived_at: expect.any(Number),
  });
  expect(org.users).toHaveLength(12);
  expect(org.users.some((u) => u.email === null)).toBe(true);
  expect(org.users.some((u) => u.name === null)).toBe(true);
  expect(org.invites.map((i) => i.status).sort()).toEqual(['accepted', 'expired', 'pending', 'pending']);
  expect(org.adminApiKeys.length).toBeGreaterThanOrEqual(2);
  expect(org.projectApiKeys.some((k) => k.owner.type === 'service_account')).toBe(true);
  expect(org.projectApiKeys.every((k) => k.redacted_value.startsWith('sk-proj-'))).toBe(true);
  expect(org.auditLogs.length).toBeGreaterThanOrEqual(250);
  for (let i = 1; i < org.auditLogs.length; i++) {
    expect(org.auditLogs[i].effective_at).toBeLessThanOrEqual(org.auditLogs[i - 1].effective_at);
  }
});

test('projects: archived only with include_archived, pagination with after', async () => {
  const active = await walk('/v1/organization/projects', {}, 2);
  expect(active).toEqual(sim.org.projects.filter((p) => p.status === 'active').map((p) => p.id));
  const all = await walk('/v1/organization/projects', { include_archived: 'true' }, 4);
  expect(all).toEqual(sim.org.projects.map((p) => p.id));
  expect((await api(sim, '/v1/organization/projects', { include_archived: 'false' })).body.data).toHaveLength(
    active.length
  );
  const legacy = sim.org.projects.find((p) => p.status === 'archived')!;
  expect((await api(sim, `/v1/organization/projects/${legacy.id}`)).body).toMatchObject({
    id: legacy.id,
    status: 'archived',
  });
  expect((await api(sim, '/v1/organization/projects/proj_nope')).status).toBe(404);
});

test('limits: default 20, 1..100', async () => {
  const res = await api(sim, '/v1/organization/audit_logs');
  expect(res.body.data).toHaveLength(20);
  expect(res.body.has_more).toBe(true);
  expect((await api(sim, '/v1/organization/users', { limit: 0 })).status).toBe(400);
  const over = await api(sim, '/v1/organization/users', { limit: 101 });
  expect(over.status).toBe(400);
  expect(over.body.error.message).toContain('100');
  expect((await api(sim, '/v1/organization/users', { after: 'user-unknown' })).status).toBe(400);
});

test('users: pagination and email filter', async () => {
  expect(await walk('/v1/organization/users', {}, 5)).toEqual(sim.org.users.map((u) => u.id));
  const res = await api(sim, '/v1/organization/users', { emails: ['ben@example.com', 'grace@example.com'] });
  expect(res.body.data.map((u: { email: string }) => u.email).sort()).toEqual(['ben@example.com', 'grace@example.com']);
});

test('project api keys honour owner_project_access', async () => {
  const project = sim.org.projects.find((p) =>
    sim.org.projectApiKeys.some((k) => k.project_id === p.id && k.owner_project_access === 'inactive')
  )!;
  const keys = sim.org.projectApiKeys.filter((k) => k.project_id === project.id);
  const path = `/v1/organization/projects/${project.id}/api_keys`;
  const ids = async (access?: string) =>
    (await api(sim, path, { owner_project_access: access as string })).body.data.map((k: { id: string }) => k.id);
  expect(await ids()).toEqual(keys.filter((k) => k.owner_project_access === 'active').map((k) => k.id));
  expect(await ids('inactive')).toEqual(keys.filter((k) => k.owner_project_access === 'inactive').map((k) => k.id));
  expect(await ids('any')).toEqual(keys.map((k) => k.id));
  expect((await api(sim, path, { owner_project_access: 'all' })).status).toBe(400);
  const first = (await api(sim, path, { owner_project_access: 'any' })).body.data[0];
  expect(first).not.toHaveProperty('project_id');
});

test('project users and service accounts; archived project → 400', async () => {
  const project = sim.org.projects.find((p) => p.name === 'Customer Support Bot')!;
  const users = await api(sim, `/v1/organization/projects/${project.id}/users`);
  expect(users.body.data.map((u: { id: string }) => u.id)).toEqual(
    sim.org.projectUsers.filter((u) => u.project_id === project.id).map((u) => u.id)
  );
  const accounts = await api(sim, `/v1/organization/projects/${project.id}/service_accounts`);
  expect(accounts.body.data.length).toBeGreaterThan(0);
  const legacy = sim.org.projects.find((p) => p.status === 'archived')!;
  for (const sub of ['users', 'service_accounts']) {
    const res = await api(sim, `/v1/organization/projects/${legacy.id}/${sub}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('archived');
  }
});

test('admin api keys: order asc/desc', async () => {
  const asc = (await api(sim, '/v1/organization/admin_api_keys')).body.data.map(
    (k: { created_at: number }) => k.created_at
  );
  const desc = (await api(sim, '/v1/organization/admin_api_keys', { order: 'desc' })).body.data.map(
    (k: { created_at: number }) => k.created_at
  );
  expect(asc).toEqual([...asc].sort((a, b) => a - b));
  expect(desc).toEqual([...asc].reverse());
  const page = await api(sim, '/v1/organization/admin_api_keys', { limit: 1 });
  expect(page.body.has_more).toBe(true);
  const next = await api(sim, '/v1/organization/admin_api_keys', { limit: 1, after: page.body.data[0].id });
  expect(next.body.data[0].id).not.toBe(page.body.data[0].id);
});

test('invites', async () => {
  const res = await api(sim, '/v1/organization/invites');
  expect(res.body.data.map((i: { id: string }) => i.id)).toEqual(sim.org.invites.map((i) => i.id));
});

describe('audit logs', () => {
  const path = '/v1/organization/audit_logs';

  test('newest first, every event once through after', async () => {
    const ids = await walk(path, {}, 100);
    expect(ids).toEqual(sim.org.auditLogs.map((l) => l.id));
  });

  test('effective_at[gte] and event_types[]', async () => {
    const since = NOW - 30 * DAY;
    const res = await api(sim, path, {
      'effective_at[gte]': since,
      event_types: ['api_key.created', 'login.failed'],
      limit: 100,
    });
    const expected = sim.org.auditLogs.filter(
      (l) => l.effective_at >= since && ['api_key.created', 'login.failed'].includes(l.type)
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(res.body.data.map((l: { id: string }) => l.id)).toEqual(expected.map((l) => l.id));
    for (const l of res.body.data) {
      expect(l).toHaveProperty([l.type]);
    }
    const window = await api(sim, path, {
      'effective_at[gt]': NOW - 20 * DAY,
      'effective_at[lte]': NOW - 10 * DAY,
      limit: 100,
    });
    expect(
      window.body.data.every(
        (l: { effective_at: number }) => l.effective_at > NOW - 20 * DAY && l.effective_at <= NOW - 10 * DAY
      )
    ).toBe(true);
    expect((await api(sim, path, { 'effective_at[gte]': 'soon' })).status).toBe(400);
  });

  test('actor, project and resource filters', async () => {
    const withProject = sim.org.auditLogs.find((l) => l.project && l.type === 'api_key.created')!;
    const byProject = await api(sim, path, { project_ids: [withProject.project!.id], limit: 100 });
    expect(
      byProject.body.data.every((l: { project: { id: string } }) => l.project.id === withProject.project!.id)
    ).toBe(true);
    const email =
      withProject.actor.type === 'session'
        ? withProject.actor.session.user.email
        : withProject.actor.api_key.user.email;
    const byEmail = await api(sim, path, { actor_emails: [email], limit: 100 });
    expect(byEmail.body.data.length).toBeGreaterThan(0);
    const resource = (withProject['api_key.created'] as { id: string }).id;
    const byResource = await api(sim, path, { resource_ids: [resource], limit: 100 });
    expect(byResource.body.data.map((l: { id: string }) => l.id)).toContain(withProject.id);
    const userId =
      withProject.actor.type === 'session' ? withProject.actor.session.user.id : withProject.actor.api_key.user.id;
    const byActor = await api(sim, path, { actor_ids: [userId], limit: 100 });
    expect(byActor.body.data.map((l: { id: string }) => l.id)).toContain(withProject.id);
  });
});
