/** @jest-environment node */
/** The generated large organization: its size, determinism, skewed activity, list pagination and consistent truths. */
import { LARGE_ORG, SimOrg, startSimulator, type Simulator } from './server';
import { allBuckets, api, DAY, NOW, TODAY } from './testkit';

/** A full weekday (Tuesday 2025-11-18) inside the simulator's history. */
const SAMPLE_DAY = TODAY - 5 * DAY;
const COMPLETIONS = '/v1/organization/usage/completions';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ now: NOW, org: LARGE_ORG });
});
afterAll(() => sim.close());

/** Every id of a cursor list, page by page, checking each page's size and cursor fields. */
async function walk(path: string, params: Record<string, string | number>, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const res = await api(sim, path, { ...params, limit, after });
    expect(res.status).toBe(200);
    const ids = res.body.data.map((x: { id: string }) => x.id);
    expect(ids.length).toBeLessThanOrEqual(limit);
    if (res.body.has_more) {
      expect(ids).toHaveLength(limit);
      expect(res.body.last_id).toBe(ids[ids.length - 1]);
    }
    pages.push(ids);
    if (!res.body.has_more) {
      return pages;
    }
    after = res.body.last_id;
  }
  throw new Error('list did not end');
}

test('has the size asked for, with unique ids and consistent ownership', () => {
  const org = sim.org;
  expect(org.projects).toHaveLength(50);
  expect(org.users).toHaveLength(1000);
  expect(org.projectApiKeys).toHaveLength(3000);
  expect(new Set(org.users.map((u) => u.id)).size).toBe(1000);
  expect(new Set(org.users.map((u) => u.email)).size).toBe(1000);
  expect(new Set(org.projectApiKeys.map((k) => k.id)).size).toBe(3000);
  expect(new Set(org.projects.map((p) => p.name)).size).toBe(50);
  expect(org.projects.some((p) => p.status === 'archived')).toBe(true);

  const members = new Set(org.projectUsers.map((m) => `${m.project_id} ${m.id}`));
  const projectIds = new Set(org.projects.map((p) => p.id));
  const accounts = new Map(org.serviceAccounts.map((s) => [s.id, s.project_id]));
  for (const k of org.projectApiKeys) {
    expect(projectIds.has(k.project_id)).toBe(true);
    if (k.owner.type === 'user') {
      expect(members.has(`${k.project_id} ${k.owner.user.id}`)).toBe(true);
    } else {
      expect(accounts.get(k.owner.service_account.id)).toBe(k.project_id);
    }
  }
  // Busier projects hold more keys: more than one list page for the busiest.
  const perProject = org.projects.map((p) => org.projectApiKeys.filter((k) => k.project_id === p.id).length);
  expect(Math.max(...perProject)).toBeGreaterThan(100);
  expect(Math.min(...perProject)).toBeGreaterThanOrEqual(1);
});

test('is the same for the same seed and differs for another', () => {
  const again = new SimOrg({ seed: 42, now: () => NOW, size: LARGE_ORG });
  const other = new SimOrg({ seed: 7, now: () => NOW, size: LARGE_ORG });
  expect(again.projectApiKeys.map((k) => k.id)).toEqual(sim.org.projectApiKeys.map((k) => k.id));
  expect(again.users).toEqual(sim.org.users);
  const day = (o: SimOrg) => o.events('completions', SAMPLE_DAY, SAMPLE_DAY + DAY);
  expect(day(again)).toEqual(day(sim.org));
  expect(other.users[0].id).not.toBe(sim.org.users[0].id);
  expect(day(other)).not.toEqual(day(sim.org));
});

test('activity is skewed: a few keys carry much of it, and a long tail is active too', () => {
  const requests = new Map<string, number>();
  const users = new Set<string>();
  for (const e of sim.org.events('completions', TODAY - 30 * DAY, TODAY)) {
    const key = e.dims.api_key_id as string;
    requests.set(key, (requests.get(key) ?? 0) + e.metrics.num_model_requests);
    if (e.dims.user_id) {
      users.add(e.dims.user_id as string);
    }
  }
  const sorted = [...requests.values()].sort((a, b) => b - a);
  const total = sorted.reduce((a, b) => a + b, 0);
  const top30 = sorted.slice(0, 30).reduce((a, b) => a + b, 0);
  // The busiest 1 % of keys send more than a quarter of the requests...
  expect(top30 / total).toBeGreaterThan(0.25);
  // ...while most keys and users are seen within a month.
  expect(requests.size).toBeGreaterThan(1500);
  expect(users.size).toBeGreaterThan(700);
  expect(sorted[0]).toBeGreaterThan(50 * sorted[Math.floor(sorted.length / 2)]);
});

test('users list: 100 per page covers all 1,000 users exactly once, in order', async () => {
  const pages = await walk('/v1/organization/users', {}, 100);
  expect(pages).toHaveLength(10);
  expect(pages.flat()).toEqual(sim.org.users.map((u) => u.id));
});

test("keys lists: every project's pages cover all 3,000 keys exactly once", async () => {
  const [projects] = await walk('/v1/organization/projects', { include_archived: 'true' }, 100);
  expect(projects).toEqual(sim.org.projects.map((p) => p.id));
  const seen: string[] = [];
  let pageCount = 0;
  for (const id of projects) {
    const pages = await walk(`/v1/organization/projects/${id}/api_keys`, { owner_project_access: 'any' }, 100);
    const keys = pages.flat();
    expect(keys).toEqual(sim.org.projectApiKeys.filter((k) => k.project_id === id).map((k) => k.id));
    expect(pages).toHaveLength(Math.max(1, Math.ceil(keys.length / 100)));
    pageCount += pages.length;
    seen.push(...keys);
  }
  expect(seen).toHaveLength(3000);
  expect(new Set(seen).size).toBe(3000);
  expect(pageCount).toBeGreaterThan(projects.length);
});

/** Per-group sums of one metric over every bucket. */
function sums(buckets: any[], dim: string, field: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of buckets) {
    for (const r of b.results) {
      out.set(r[dim], (out.get(r[dim]) ?? 0) + r[field]);
    }
  }
  return out;
}

test.each(['api_key_id', 'user_id'])('a day grouped by %s: 1d = 24 × 1h = 1,440 × 1m = the truth', async (dim) => {
  const range = { start_time: SAMPLE_DAY, end_time: SAMPLE_DAY + DAY, group_by: [dim] };
  const [daily, hourly, minutely] = await Promise.all([
    allBuckets(sim, COMPLETIONS, { ...range, bucket_width: '1d' }),
    allBuckets(sim, COMPLETIONS, { ...range, bucket_width: '1h', limit: 24 }),
    allBuckets(sim, COMPLETIONS, { ...range, bucket_width: '1m', limit: 1440 }),
  ]);
  expect([daily.length, hourly.length, minutely.length]).toEqual([1, 24, 1440]);
  for (const field of ['input_tokens', 'output_tokens', 'num_model_requests']) {
    const day = sums(daily, dim, field);
    expect(day.size).toBeGreaterThan(300);
    expect(sums(hourly, dim, field)).toEqual(day);
    expect(sums(minutely, dim, field)).toEqual(day);
    // A sample of groups against the organization's own events, the busiest first.
    const sample = [...day.entries()].sort((a, b) => b[1] - a[1]).filter((_, i) => i % 50 === 0);
    for (const [id, value] of sample) {
      expect(sim.org.sumUsage('completions', field, SAMPLE_DAY, SAMPLE_DAY + DAY, { [dim]: id })).toBe(value);
    }
  }
});

test("a day's costs by API key: 1d buckets match the billed line items", async () => {
  const buckets = await allBuckets(sim, '/v1/organization/costs', {
    start_time: SAMPLE_DAY,
    end_time: SAMPLE_DAY + DAY,
    group_by: ['api_key_id'],
  });
  expect(buckets).toHaveLength(1);
  const results: Array<{ api_key_id: string | null; amount: { value: number } }> = buckets[0].results;
  expect(results.length).toBeGreaterThan(300);
  const micros = results.reduce((a, r) => a + Math.round(r.amount.value * 1e6), 0);
  expect(micros).toBe(sim.org.sumCostMicros(SAMPLE_DAY, SAMPLE_DAY + DAY));
  for (const r of results.filter((_, i) => i % 40 === 0)) {
    expect(Math.round(r.amount.value * 1e6)).toBe(
      sim.org.sumCostMicros(SAMPLE_DAY, SAMPLE_DAY + DAY, { api_key_id: r.api_key_id })
    );
  }
});
