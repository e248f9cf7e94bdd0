/**
 * The organization directory against the simulator, through the data source proxy's routes: one cache for
 * names, pickers and Save & test, kept for its lifetime on the injected clock, failures not kept, and one
 * request for callers that ask at the same time.
 */
import { Harness, queryContext, startHarness } from '../../tests/harness';
import { testConnection } from '../connection/testConnection';
import { loadChoices } from './choices';
import { ORG_TTL_MS } from './cache';
import { OrgDirectory } from './directory';
import { PROJECTS_PATH, USERS_PATH } from './lists';

const NOW = 1763900000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: NOW });
});
afterAll(() => h.close());
beforeEach(() => h.sim.resetStats());

/** A directory on a fresh client and a clock the test moves. */
function directory() {
  const clock = { ms: NOW * 1000 };
  const { client } = queryContext(h);
  return { client, clock, org: new OrgDirectory(client, () => clock.ms) };
}

const requests = (path: string) => h.sim.stats().log.filter((e) => e.path === path).length;

describe('OrgDirectory', () => {
  it('reads a list once within its lifetime and again after it', async () => {
    const { org, clock } = directory();
    const first = await org.projects();
    expect(first.map((p) => p.id)).toEqual(h.sim.org.projects.map((p) => p.id));
    clock.ms += ORG_TTL_MS - 1;
    expect(await org.projects()).toBe(first);
    expect(requests(PROJECTS_PATH)).toBe(1);

    clock.ms += 1;
    const reloaded = await org.projects();
    expect(reloaded).not.toBe(first);
    expect(reloaded).toEqual(first);
    expect(requests(PROJECTS_PATH)).toBe(2);
  });

  it('knows how many objects it has read, without reading any, and forgets them with the lists', async () => {
    const { org, clock } = directory();
    expect(org.knownCount('user')).toBeUndefined();
    await org.users();
    expect(org.knownCount('user')).toBe(h.sim.org.users.length);
    // Keys are counted only once every project's list is read.
    await org.apiKeyNames([h.sim.org.projects[0].id]);
    expect(org.knownCount('project')).toBe(h.sim.org.projects.length);
    expect(org.knownCount('apiKey')).toBeUndefined();
    await org.projectApiKeys();
    expect(org.knownCount('apiKey')).toBe(h.sim.org.projectApiKeys.length);
    clock.ms += ORG_TTL_MS;
    expect(org.knownCount('user')).toBeUndefined();
    expect(requests(USERS_PATH)).toBe(1);
  });

  it('names the keys of the same projects once while their lists last, and again from lists read again', async () => {
    const { org, clock } = directory();
    const [a, b] = h.sim.org.projects.map((p) => p.id);
    const first = (await org.apiKeyNames([a, b])).maps.apiKey!;
    const all = await org.nameMap('apiKey');
    const keys = h.sim.org.projectApiKeys.filter((k) => k.project_id === a || k.project_id === b);
    expect(keys.length).toBeGreaterThan(0);
    expect([...first]).toEqual(keys.map((k) => [k.id, all.get(k.id)]));
    // A refresh showing the same projects.
    expect((await org.apiKeyNames([a, b])).maps.apiKey).toBe(first);
    const onlyA = (await org.apiKeyNames([a])).maps.apiKey!;
    expect([...onlyA.keys()]).toEqual(keys.filter((k) => k.project_id === a).map((k) => k.id));
    clock.ms += ORG_TTL_MS;
    const again = (await org.apiKeyNames([a, b])).maps.apiKey!;
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('does not keep a failure: the next caller asks again', async () => {
    const { org } = directory();
    h.sim.configure({ failNext: [{ status: 400, count: 1, pathPrefix: USERS_PATH }] });
    try {
      await expect(org.users()).rejects.toMatchObject({ kind: 'badRequest' });
    } finally {
      h.sim.configure({ failNext: [] });
    }
    expect((await org.users()).map((u) => u.id)).toEqual(h.sim.org.users.map((u) => u.id));
    expect(requests(USERS_PATH)).toBe(2);
  });

  it('shares one request between callers that ask at the same time', async () => {
    const { org } = directory();
    const [a, b] = await Promise.all([org.users(), org.users()]);
    expect(a).toBe(b);
    expect(requests(USERS_PATH)).toBe(1);
  });

  it('serves a picker the list it loaded for names, and names the IDs', async () => {
    const { client, org } = directory();
    const names = await org.resolve(['project', 'user']);
    const project = h.sim.org.projects[0];
    expect(names.maps.project?.get(project.id)).toBe(project.name);
    expect(names.warnings).toEqual([]);
    const choices = await loadChoices({ client, names: org }, 'projects', { includeArchived: true });
    expect(choices.map((c) => c.value)).toEqual(h.sim.org.projects.map((p) => p.id));
    expect(requests(PROJECTS_PATH)).toBe(1);
  });

  it('is refreshed by Save & test, and pickers then read the fresh lists', async () => {
    const { client, org } = directory();
    await org.projects();
    await org.users();
    const result = await testConnection(client, org);
    expect(result.status).toBe('success');
    expect(requests(PROJECTS_PATH)).toBe(2);
    expect(requests(USERS_PATH)).toBe(2);
    await loadChoices({ client, names: org }, 'users');
    await loadChoices({ client, names: org }, 'projects');
    expect(requests(PROJECTS_PATH)).toBe(2);
    expect(requests(USERS_PATH)).toBe(2);
  });

  it('says which names are missing, in the API error’s words and never a JavaScript error’s', async () => {
    const org = new OrgDirectory({
      listAll: async () => {
        throw new TypeError('secret is undefined');
      },
    });
    const names = await org.resolve(['user']);
    expect(names.maps.user).toBeUndefined();
    expect(names.warnings).toHaveLength(1);
    expect(names.warnings[0]).toMatch(/^Users are shown as IDs: /);
    expect(names.warnings[0]).not.toContain('secret is undefined');
  });

  it('names every project, user and key distinctly, and a picker names each as its series does', async () => {
    const { client, org } = directory();
    const projects = h.sim.org.projects;
    for (const kind of ['project', 'user', 'apiKey'] as const) {
      const names = await org.nameMap(kind);
      expect({ kind, distinct: new Set(names.values()).size }).toEqual({ kind, distinct: names.size });
    }
    // The simulated organization has two projects called "Data Pipeline": only their IDs tell them apart.
    const twins = projects.filter((p) => p.name === 'Data Pipeline');
    expect(twins).toHaveLength(2);
    const projectNames = await org.nameMap('project');
    for (const p of twins) {
      expect(projectNames.get(p.id)).toBe(`Data Pipeline (proj_…${p.id.slice(-4)})`);
    }
    // A project named once keeps its plain name.
    const single = projects.find((p) => p.name === 'Customer Support Bot')!;
    expect(projectNames.get(single.id)).toBe('Customer Support Bot');
    // Keys are named with their project, as the variable editor always did.
    const keyNames = await org.nameMap('apiKey');
    expect([...keyNames.values()].filter((n) => n.startsWith('Analytics (')).length).toBeGreaterThan(1);

    const source = { client, names: org };
    for (const [kind, nameKind] of [
      ['projects', 'project'],
      ['users', 'user'],
      ['apiKeys', 'apiKey'],
    ] as const) {
      const map = await org.nameMap(nameKind);
      for (const c of await loadChoices(source, kind, { includeArchived: true })) {
        expect({ kind, id: c.value, label: c.label }).toEqual({ kind, id: c.value, label: map.get(c.value) });
      }
    }
  });
});
