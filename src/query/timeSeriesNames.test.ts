/**
 * Names off the critical path, through DataSource.query() against the simulator: lists start with the data, keys
 * are listed only for the projects a panel shows, and one cache per data source (kept in session storage for its
 * lifetime) serves panels, variables, pickers, refreshes and a re-opened page without a list request.
 */
import { DataFrame, DataQueryResponse } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { Harness, instanceSettings, panelRequest, simDisplayNames, startHarness } from '../../tests/harness';
import { DataSource } from '../datasource';
import { OpenAIQuery, QueryType } from '../types';
import { OpenAIVariableSupport } from '../variables';
import { ORG_TTL_MS, OrgCache, OrgStore, STORED_MAX_CHARS } from '../org/cache';
import { loadChoices } from '../org/choices';
import { PROJECTS_PATH, USERS_PATH } from '../org/lists';

const NOW = 1763900000; // 2025-11-23 12:13:20 UTC
const DAY = 86400;
const TODAY = Math.floor(NOW / DAY) * DAY;
const FROM = TODAY - 7 * DAY;
const UID = 'names-test';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: NOW, uid: UID });
});
afterAll(() => h.close());
/** Each test opens the page anew, in a new browser session. */
let ds: DataSource;
beforeEach(() => {
  sessionStorage.clear();
  h.sim.resetStats();
  h.sim.configure({ latencyMs: 0 });
  ds = reopen();
});

/** A data source as Grafana makes it on a page load: fresh instance, the page's session storage. */
function reopen(clock: () => number = h.ds.now, organizationId?: string, uid = UID): DataSource {
  return new DataSource(instanceSettings(h.proxy.proxyBase, { organizationId }, uid), clock);
}

const ts = (extra: Partial<OpenAIQuery>): OpenAIQuery =>
  ({
    refId: 'A',
    queryType: QueryType.TimeSeries,
    source: 'completions',
    metrics: ['input_tokens'],
    bucketWidth: '1d',
    groupBy: [],
    filters: {},
    ...extra,
  }) as OpenAIQuery;

async function run(ds: DataSource, targets: OpenAIQuery[]): Promise<DataFrame[]> {
  const res = (await ds.query(panelRequest(targets, FROM, TODAY, 1000))) as DataQueryResponse;
  expect(res.errors ?? []).toEqual([]);
  return res.data as DataFrame[];
}

const log = () => h.sim.stats().log;
const isList = (path: string) => path.startsWith(PROJECTS_PATH) || path === USERS_PATH;
const lists = () => log().filter((e) => isList(e.path));
const keyLists = () =>
  lists()
    .filter((e) => e.path.endsWith('/api_keys'))
    .map((e) => decodeURIComponent(e.path.split('/')[4]));
const dataRequests = () => log().filter((e) => e.path.startsWith('/v1/organization/usage'));
const keyOf = (id: string) => h.sim.org.projectApiKeys.find((k) => k.id === id)!;

describe('names off the critical path', () => {
  it('starts the list requests with the data requests, not after them', async () => {
    h.sim.configure({ latencyMs: 150 });
    await run(ds, [ts({ groupBy: ['user_id', 'project_id'] })]);
    const data = dataRequests();
    const listed = lists();
    expect(data.length).toBeGreaterThan(0);
    expect(listed.map((e) => e.path).sort()).toEqual([PROJECTS_PATH, USERS_PATH]);
    const firstAnswer = Math.min(...data.map((e) => e.end));
    for (const e of listed) {
      expect(e.start).toBeLessThan(firstAnswer);
    }
  });

  it('lists the keys of the filtered projects at once, and no other project’s', async () => {
    h.sim.configure({ latencyMs: 150 });
    const project = h.sim.org.projects[0].id;
    const frames = await run(ds, [ts({ groupBy: ['api_key_id'], filters: { projectIds: [project] } })]);
    expect(keyLists()).toEqual([project]);
    const keyList = lists().find((e) => e.path.endsWith('/api_keys'))!;
    expect(keyList.start).toBeLessThan(Math.min(...dataRequests().map((e) => e.end)));
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) {
      const labels = f.fields[1].labels!;
      expect(labels.api_key).toBe(simDisplayNames(h.sim.org).apiKey.get(labels.api_key_id));
    }
  });

  it('lists only the keys of the projects the shown series come from', async () => {
    h.sim.configure({ latencyMs: 150 });
    const frames = await run(ds, [ts({ groupBy: ['api_key_id'], topN: 1 })]);
    const shown = frames.map((f) => f.fields[1].labels!).filter((l) => !l.api_key_id.startsWith('Other'));
    expect(shown).toHaveLength(1);
    const key = keyOf(shown[0].api_key_id);
    expect(shown[0].api_key).toBe(simDisplayNames(h.sim.org).apiKey.get(key.id));
    // The key's own project and no other: a large organization's key lists are its costliest requests.
    expect(keyLists()).toEqual([key.project_id]);
    // Besides it, only the projects list, whose names tell apart keys of the same name: it waits for no data.
    const others = lists().filter((e) => !e.path.endsWith('/api_keys'));
    expect(others.map((e) => e.path)).toEqual(['/v1/organization/projects']);
    expect(others[0].start).toBeLessThan(Math.min(...dataRequests().map((e) => e.end)));
    // The projects grouping is sent only to learn whose keys to list; the series stay one per key.
    expect(new Set(dataRequests().map((e) => new URLSearchParams(e.query).getAll('group_by[]').join(',')))).toEqual(
      new Set(['project_id,api_key_id'])
    );
  });

  it('sends no list request on a refresh, nor on a re-open within the lists’ lifetime', async () => {
    const query = ts({ groupBy: ['user_id', 'project_id', 'api_key_id'], topN: 0 });
    const first = await run(ds, [query]);
    expect(lists().length).toBeGreaterThan(2);

    h.sim.resetStats();
    expect((await run(ds, [query])).map((f) => f.name)).toEqual(first.map((f) => f.name));
    expect(lists()).toEqual([]);

    const reopened = reopen();
    expect((await run(reopened, [query])).map((f) => f.name)).toEqual(first.map((f) => f.name));
    expect(lists()).toEqual([]);
    expect(
      first.some(
        (f) => f.fields[1].labels!.api_key === simDisplayNames(h.sim.org).apiKey.get(f.fields[1].labels!.api_key_id)
      )
    ).toBe(true);

    // Pickers and variables of the re-opened page read the same lists.
    await loadChoices(reopened, 'projects');
    await loadChoices(reopened, 'users');
    const variables = reopened.variables as OpenAIVariableSupport;
    await lastValueFrom(variables.query({ targets: [{ refId: 'V', kind: 'users' }], scopedVars: {} } as never));
    expect(lists()).toEqual([]);
  });

  it('lists again once the lifetime is over, and for another organization or data source', async () => {
    const query = ts({ groupBy: ['user_id'] });
    await run(ds, [query]);
    h.sim.resetStats();

    await run(
      reopen(() => h.ds.now() + ORG_TTL_MS),
      [query]
    );
    expect(lists().map((e) => e.path)).toEqual([USERS_PATH]);

    h.sim.resetStats();
    await run(reopen(h.ds.now, 'org-sim0001'), [query]);
    expect(lists().map((e) => e.path)).toEqual([USERS_PATH]);

    h.sim.resetStats();
    await run(reopen(h.ds.now, undefined, 'another'), [query]);
    expect(lists().map((e) => e.path)).toEqual([USERS_PATH]);
  });

  it('keeps only organization lists in session storage, never the admin key', async () => {
    await run(ds, [ts({ groupBy: ['user_id', 'api_key_id'], metrics: ['input_tokens'] })]);
    const stored = Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)!] as const);
    expect(stored.length).toBeGreaterThan(1);
    for (const [key, text] of stored) {
      expect(key).toMatch(
        new RegExp(`^aiusage-openai-datasource:org-lists:[^:]*:${UID}::(projects|users|apiKeys:proj_\\w+)$`)
      );
      expect(text).not.toContain('sk-admin');
    }
  });

  it('still names series when session storage refuses to keep anything', async () => {
    const setItem = jest.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    try {
      const frames = await run(ds, [ts({ groupBy: ['user_id'] })]);
      const labels = frames.map((f) => f.fields[1].labels!).find((l) => l.user_id)!;
      const user = h.sim.org.users.find((u) => u.id === labels.user_id)!;
      expect(labels.user).toBe(user.email || user.name || user.id);
    } finally {
      setItem.mockRestore();
    }
    expect(Object.keys(sessionStorage)).toEqual([]);
  });
});

describe('OrgCache in session storage', () => {
  function memoryStore(): OrgStore & { data: Map<string, string> } {
    const data = new Map<string, string>();
    return {
      data,
      keys: () => [...data.keys()],
      read: (k) => data.get(k) ?? null,
      write: (k, v) => void data.set(k, v),
      remove: (k) => void data.delete(k),
    };
  }

  it('keeps what fits under the size cap and the entries it is told to, and clears them', async () => {
    const store = memoryStore();
    const cache = new OrgCache({ now: () => 1000, store, stored: (k) => k !== 'secret' });
    await cache.get('users', async () => ['a']);
    await cache.get('secret', async () => ['b']);
    await cache.get('huge', async () => 'x'.repeat(STORED_MAX_CHARS));
    expect([...store.data.keys()]).toEqual(['users']);

    const restored = new OrgCache({ now: () => 1000 + ORG_TTL_MS - 1, store, stored: () => true });
    expect(await restored.get('users', async () => ['reloaded'])).toEqual(['a']);
    restored.clear();
    expect(store.data.size).toBe(0);
  });

  it('drops expired and unreadable entries on restore', async () => {
    const store = memoryStore();
    store.data.set('users', JSON.stringify({ at: 0, value: ['old'] }));
    store.data.set('projects', '{not json');
    const cache = new OrgCache({ now: () => ORG_TTL_MS, store, stored: () => true });
    expect(store.data.size).toBe(0);
    expect(await cache.get('users', async () => ['new'])).toEqual(['new']);
  });
});
