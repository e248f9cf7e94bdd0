/**
 * The query engine end to end: DataSource.query() through Grafana's proxy routes to the OpenAI Admin API
 * simulator, checked against the simulator's ground truth.
 */
import { DataFrame, DataQueryResponse } from '@grafana/data';

import { ENDPOINTS, SOURCE_IDS, SourceId, defaultMetrics } from './api/catalog';
import { startHarness, Harness, instanceSettings, panelRequest, simDisplayNames } from '../tests/harness';
import { DataSource } from './datasource';
import { OpenAIQuery, QueryType } from './types';

const NOW = 1763900000; // 2025-11-23 12:13:20 UTC
const DAY = 86400;
const HOUR = 3600;
const TODAY = Math.floor(NOW / DAY) * DAY;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: NOW });
});
afterAll(() => h.close());
beforeEach(() => {
  h.sim.resetStats();
  h.sim.configure({ failNext: [], malformedNext: null, rateLimit: null, amountAsString: false });
  h.ds.client.cache.clear();
});

const ts = (source: SourceId, extra: Partial<OpenAIQuery> = {}): Partial<OpenAIQuery> => ({
  queryType: QueryType.TimeSeries,
  source,
  groupBy: [],
  metrics: [],
  bucketWidth: 'auto',
  ...extra,
});

function ok(res: DataQueryResponse): DataFrame[] {
  expect(res.errors ?? []).toEqual([]);
  return res.data as DataFrame[];
}

/** Sum of one metric over every series of the response. */
function total(frames: DataFrame[], metricLabel?: string): number {
  return frames
    .filter((f) => f.fields.length === 2 && (!metricLabel || f.fields[1].name === metricLabel))
    .reduce((sum, f) => sum + f.fields[1].values.reduce((a: number, b: number) => a + b, 0), 0);
}

const usageRequests = () =>
  h.sim.stats().log.filter((e) => e.path.startsWith('/v1/organization/usage') || e.path === '/v1/organization/costs');

describe('every source, ungrouped, default metrics', () => {
  it.each(SOURCE_IDS.filter((s) => s !== 'vector_stores'))('%s: totals equal the ground truth', async (source) => {
    const def = ENDPOINTS[source];
    const from = TODAY - 6 * DAY;
    const frames = ok(await h.query([ts(source, { bucketWidth: '1d' })], from, NOW));
    for (const metric of defaultMetrics(def)) {
      const label = def.metrics.find((m) => m.field === metric)!.label;
      expect(total(frames, label)).toBeCloseTo(h.sim.org.sumUsage(source, metric, from, NOW), 6);
    }
    // One point per UTC day, the last one partial, from exactly the requested start.
    expect(frames[0].fields[0].values[0]).toBe(from * 1000);
    expect(frames[0].fields[0].values).toHaveLength(7);
  });

  it('vector stores: storage is a level per bucket, labelled in bytes', async () => {
    const frames = ok(
      await h.query([ts('vector_stores', { bucketWidth: '1d', groupBy: ['project_id'] })], TODAY - 3 * DAY, TODAY)
    );
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) {
      const projectId = f.fields[1].labels!.project_id;
      expect(f.fields[1].config.unit).toBe('bytes');
      expect(f.fields[1].values).toEqual([3, 2, 1].map((d) => h.sim.org.vectorStoreBytes(projectId, TODAY - d * DAY)));
    }
  });
});

describe('group by', () => {
  const cases = SOURCE_IDS.flatMap((s) => ENDPOINTS[s].groupBy.map((g) => [s, g] as const)).filter(
    ([s]) => s !== 'vector_stores'
  );
  it.each(cases)('%s by %s: series add up to the ungrouped total', async (source, dim) => {
    const def = ENDPOINTS[source];
    const metric = defaultMetrics(def)[0];
    const from = TODAY - 3 * DAY;
    const frames = ok(await h.query([ts(source, { bucketWidth: '1d', groupBy: [dim], metrics: [metric] })], from, NOW));
    expect(total(frames)).toBeCloseTo(h.sim.org.sumUsage(source, metric, from, NOW), 6);
    const labels = frames.map((f) => f.fields[1].labels ?? {});
    expect(labels.every((l) => dim in l)).toBe(true);
  });

  it('shows names in place of IDs: project names, user emails, key names', async () => {
    const frames = ok(
      await h.query(
        [ts('completions', { bucketWidth: '1d', groupBy: ['project_id'], metrics: ['input_tokens'] })],
        TODAY - DAY,
        NOW
      )
    );
    const shown = simDisplayNames(h.sim.org);
    for (const f of frames) {
      const { project_id, project } = f.fields[1].labels!;
      expect(project).toBe(shown.project.get(project_id));
      expect(f.name).toBe(project);
    }
    const users = ok(
      await h.query(
        [ts('completions', { bucketWidth: '1d', groupBy: ['user_id'], metrics: ['input_tokens'] })],
        TODAY - DAY,
        NOW
      )
    );
    for (const f of users) {
      const userId = f.fields[1].labels!.user_id;
      // Traffic of service-account keys has no user.
      expect(f.name).toBe(shown.user.get(userId) ?? '(no user)');
    }
    expect(users.some((f) => f.fields[1].labels!.user_id === '')).toBe(true);
    const keys = ok(
      await h.query(
        [ts('completions', { bucketWidth: '1d', groupBy: ['api_key_id'], metrics: ['input_tokens'] })],
        TODAY - DAY,
        NOW
      )
    );
    for (const f of keys) {
      expect(f.name).toBe(shown.apiKey.get(f.fields[1].labels!.api_key_id) ?? '(no API key)');
    }
  });

  it('applies a legend format with names', async () => {
    const frames = ok(
      await h.query(
        [
          ts('completions', {
            bucketWidth: '1d',
            groupBy: ['model', 'project_id'],
            metrics: ['output_tokens'],
            legendFormat: '{{model}} @ {{project}}',
          }),
        ],
        TODAY - DAY,
        NOW
      )
    );
    const f = frames[0];
    expect(f.name).toBe(`${f.fields[1].labels!.model} @ ${f.fields[1].labels!.project}`);
  });
});

describe('filters', () => {
  it('projects, models, batch and image sizes narrow the totals exactly', async () => {
    const from = TODAY - 5 * DAY;
    const project = h.sim.org.projects[0].id;
    const model = h.sim.org.models.completions[0];
    const cases: Array<[Partial<OpenAIQuery>, SourceId, string, Record<string, string | boolean>]> = [
      [{ filters: { projectIds: [project] } }, 'completions', 'input_tokens', { project_id: project }],
      [{ filters: { models: [model] } }, 'completions', 'input_tokens', { model }],
      [{ filters: { batch: true } }, 'completions', 'output_tokens', { batch: true }],
      [{ filters: { sizes: ['1024x1024'] } }, 'images', 'images', { size: '1024x1024' }],
    ];
    for (const [extra, source, metric, match] of cases) {
      const frames = ok(await h.query([ts(source, { bucketWidth: '1d', metrics: [metric], ...extra })], from, NOW));
      expect(total(frames)).toBe(h.sim.org.sumUsage(source, metric, from, NOW, match));
    }
  });

  it('template variables: multi-value expands, "All" drops the filter', async () => {
    const [a, b] = h.sim.org.projects.map((p) => p.id);
    const from = TODAY - 2 * DAY;
    const q = ts('completions', {
      bucketWidth: '1d',
      metrics: ['input_tokens'],
      filters: { projectIds: ['$project'] },
    });
    h.setVariables([{ name: 'project', value: [a, b], options: [a, b] }]);
    const some = total(ok(await h.query([q], from, NOW)));
    expect(some).toBe(
      h.sim.org.sumUsage('completions', 'input_tokens', from, NOW, { project_id: a }) +
        h.sim.org.sumUsage('completions', 'input_tokens', from, NOW, { project_id: b })
    );
    expect(usageRequests().at(-1)!.query).toContain(`project_ids%5B%5D=${a}&project_ids%5B%5D=${b}`);
    h.setVariables([{ name: 'project', value: '$__all', options: [a] }]);
    const all = total(ok(await h.query([q], from, NOW)));
    expect(all).toBe(h.sim.org.sumUsage('completions', 'input_tokens', from, NOW));
    h.setVariables([]);
  });
});

describe('windows and pages', () => {
  it('90 days of hourly completions by model: 13 windows at limit 168, totals exact', async () => {
    const from = TODAY - 90 * DAY;
    const frames = ok(
      await h.query(
        [ts('completions', { bucketWidth: '1h', groupBy: ['model'], metrics: ['input_tokens'] })],
        from,
        TODAY
      )
    );
    const requests = usageRequests();
    expect(requests).toHaveLength(Math.ceil((90 * 24) / 168));
    expect(requests.every((r) => r.query.includes('limit=168'))).toBe(true);
    expect(total(frames)).toBe(h.sim.org.sumUsage('completions', 'input_tokens', from, TODAY));
    expect(frames[0].fields[0].values).toHaveLength(90 * 24);
  });

  it('an unaligned start gives a partial first bucket, counted exactly once', async () => {
    const from = TODAY - 3 * DAY + 5 * HOUR + 1234;
    const frames = ok(await h.query([ts('completions', { bucketWidth: '1d', metrics: ['input_tokens'] })], from, NOW));
    const times = frames[0].fields[0].values;
    expect(times[0]).toBe(from * 1000);
    expect(times[1]).toBe((TODAY - 2 * DAY) * 1000);
    expect(total(frames)).toBe(h.sim.org.sumUsage('completions', 'input_tokens', from, NOW));
  });

  it('1m, 1h and 1d give the same totals for the same window', async () => {
    const from = TODAY - DAY + 7 * 60;
    const to = TODAY - 2 * HOUR;
    const totals = [];
    for (const bucketWidth of ['1m', '1h', '1d'] as const) {
      totals.push(total(ok(await h.query([ts('embeddings', { bucketWidth, metrics: ['input_tokens'] })], from, to))));
    }
    expect(new Set(totals).size).toBe(1);
    expect(totals[0]).toBe(h.sim.org.sumUsage('embeddings', 'input_tokens', from, to));
  });

  it('sends identical requests from several panels once', async () => {
    const q = ts('costs', { groupBy: ['project_id'] });
    await h.query([q, { ...q }, { ...q }], TODAY - 10 * DAY, NOW);
    expect(usageRequests()).toHaveLength(1);
  });
});

describe('costs', () => {
  it('by project and line item over 180 days: one request at limit 180, totals equal billed cost', async () => {
    const from = TODAY - 179 * DAY;
    const frames = ok(await h.query([ts('costs', { groupBy: ['project_id', 'line_item'] })], from, NOW));
    expect(usageRequests()).toHaveLength(1);
    expect(usageRequests()[0].query).toContain('limit=180');
    expect(total(frames)).toBeCloseTo(h.sim.org.sumCost(from, NOW), 6);
    expect(frames[0].fields[1].config.unit).toBe('currencyUSD');
    expect(frames[0].meta?.notices?.some((n) => /provisional/.test(n.text))).toBe(true);
  });

  it('reads amounts sent as strings', async () => {
    h.sim.configure({ amountAsString: true });
    const frames = ok(await h.query([ts('costs', { groupBy: [] })], TODAY - 7 * DAY, NOW));
    expect(total(frames)).toBeCloseTo(h.sim.org.sumCost(TODAY - 7 * DAY, NOW), 6);
  });

  it('cost by model is derived from line items and sums to the billed total', async () => {
    const from = TODAY - 14 * DAY;
    const frames = ok(await h.query([ts('costs', { groupBy: [], costByModel: true })], from, NOW));
    expect(total(frames)).toBeCloseTo(h.sim.org.sumCost(from, NOW), 6);
    const models = frames.map((f) => f.fields[1].labels!.model).filter(Boolean);
    expect(models.length).toBeGreaterThan(2);
    const one = frames.find((f) => f.fields[1].labels!.model === models[0])!;
    const expected = h.sim.org.costLineItems
      .filter((li) => li.startsWith(`${models[0]}, `))
      .reduce((sum, li) => sum + h.sim.org.sumCost(from, NOW, { line_item: li }), 0);
    expect(total([one])).toBeCloseTo(expected, 6);
  });
});

describe('errors', () => {
  it('an unsupported group-by is refused before any request, naming the allowed values', async () => {
    const res = await h.query([ts('embeddings', { groupBy: ['batch'] })], TODAY - DAY, NOW);
    expect(res.errors?.[0].message).toMatch(
      /Embeddings cannot be grouped by Batch; it accepts Project, User, API key, Model/
    );
    expect(usageRequests()).toHaveLength(0);
  });

  it('a 403 on one endpoint fails that query only, naming the scope', async () => {
    h.sim.configure({ failNext: [{ status: 403, count: 1, pathPrefix: '/v1/organization/usage/images' }] });
    const res = await h.query([ts('images'), ts('completions', { bucketWidth: '1d' })], TODAY - DAY, NOW);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].refId).toBe('A');
    expect(res.errors![0].message).toMatch(/api\.usage\.read/);
    expect(res.data.some((f: DataFrame) => f.refId === 'B')).toBe(true);
  });

  it('retries 5xx and rate limits, then succeeds without losing a bucket', async () => {
    h.sim.configure({ failNext: [{ status: 503, count: 2 }] });
    const from = TODAY - 20 * DAY;
    const frames = ok(
      await h.query([ts('completions', { bucketWidth: '1h', metrics: ['input_tokens'] })], from, TODAY)
    );
    expect(total(frames)).toBe(h.sim.org.sumUsage('completions', 'input_tokens', from, TODAY));
    expect(h.ds.client.stats.retries).toBeGreaterThanOrEqual(2);
  });

  it('a data source opened again in the same session starts at the pace the API’s 429s taught', async () => {
    sessionStorage.clear();
    const open = () =>
      new DataSource(instanceSettings(h.proxy.proxyBase, {}, 'paced'), () => NOW * 1000, { maxAttempts: 3 });
    const first = open();
    expect(first.client.limiter.pacingMs).toBe(0);
    h.sim.configure({ rateLimit: { capacity: 2, refillPerSec: 5 } });
    const sources: SourceId[] = ['completions', 'embeddings', 'moderations', 'images'];
    const res = (await first.query(
      panelRequest(
        sources.map((s, i) => ({ refId: String(i), ...ts(s, { bucketWidth: '1d' }) }) as OpenAIQuery),
        TODAY - DAY,
        NOW,
        1000
      )
    )) as DataQueryResponse;
    expect(res.errors ?? []).toEqual([]);
    expect(first.client.stats.rateLimited).toBeGreaterThan(0);
    expect(first.client.limiter.pacingMs).toBeGreaterThan(0);
    // Kept under the data source's own key, beside its organization lists.
    expect(Object.keys(sessionStorage)).toEqual([
      expect.stringMatching(/^aiusage-openai-datasource:pace:[^:]*:paced::pace$/),
    ]);
    expect(open().client.limiter.pacingMs).toBe(first.client.limiter.pacingMs);
    sessionStorage.clear();
    expect(open().client.limiter.pacingMs).toBe(0);
  });

  it('gives up after the last try with a clear message', async () => {
    h.sim.configure({ failNext: [{ status: 500, count: 50 }] });
    const res = await h.query([ts('moderations', { bucketWidth: '1d' })], TODAY - DAY, NOW);
    expect(res.errors?.[0].message).toMatch(/server error \(HTTP 500\)/);
  }, 30_000);

  it('a malformed answer is a clear error, not a crash', async () => {
    h.sim.configure({ malformedNext: { count: 1 } });
    const res = await h.query([ts('completions', { bucketWidth: '1d' })], TODAY - DAY, NOW);
    expect(res.errors?.[0].message).toMatch(/not JSON/);
  });
});

describe('hung requests', () => {
  it('a request the API never answers times out at the proxy and is sent again', async () => {
    // Long enough for the answered retry even on a busy machine; the hung first try still runs into it.
    const other = await startHarness({ now: NOW, proxyTimeoutMs: 3000 });
    try {
      other.sim.configure({ hangNext: { count: 1, pathPrefix: '/v1/organization/costs' } });
      const frames = ok(await other.query([ts('costs')], TODAY - 5 * DAY, NOW));
      expect(total(frames)).toBeCloseTo(other.sim.org.sumCost(TODAY - 5 * DAY, NOW), 6);
      expect(other.proxy.requests.map((r) => r.status)).toContain(504);
      expect(other.ds.client.stats.retries).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('keys', () => {
  it('a project key is refused with a message about admin keys', async () => {
    const other = await startHarness({ now: NOW, key: 'sk-proj-abc123' });
    try {
      const res = await other.query([ts('costs')], TODAY - DAY, NOW);
      expect(res.errors?.[0].message).toMatch(/refused the key.*admin key/);
    } finally {
      await other.close();
    }
  });

  it('a usage-only key still charts usage, with IDs and a notice in place of names', async () => {
    const other = await startHarness({ now: NOW, key: 'sk-admin-sim-usage-only' });
    try {
      const frames = ok(await other.query([ts('costs', { groupBy: ['project_id'] })], TODAY - 3 * DAY, NOW));
      expect(frames[0].name).toMatch(/^proj_/);
      expect(frames[0].meta?.notices?.some((n) => /api\.management\.read/.test(n.text))).toBe(true);
    } finally {
      await other.close();
    }
  });
});
