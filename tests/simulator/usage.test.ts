/** @jest-environment node */
/** Behaviour of the bucketed endpoints: bucket boundaries, totals, limits, paging, grouping, filters, costs. */
import { BUCKET_ENDPOINTS } from './usage';
import { startSimulator, type Simulator } from './server';
import { SOURCE_METRICS, type UsageSourceId } from './org';
import { allBuckets, api, DAY, NOW, sumField, TODAY } from './testkit';

const COMPLETIONS = '/v1/organization/usage/completions';
const COSTS = '/v1/organization/costs';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ now: NOW });
});
afterAll(() => sim.close());

describe('totals agree across widths and with the ground truth', () => {
  // Two whole days, a weekday and the weekend before "now".
  const start = TODAY - 3 * DAY;
  const end = TODAY - DAY;
  const sources: UsageSourceId[] = [
    'completions',
    'embeddings',
    'images',
    'audio_transcriptions',
    'web_search_calls',
    'file_search_calls',
    'code_interpreter_sessions',
  ];

  test.each(sources)('%s: 1d = 1h = 1m = org.sumUsage', async (source) => {
    const path = BUCKET_ENDPOINTS[source].path;
    const byWidth: Record<string, any[]> = {};
    for (const width of ['1d', '1h', '1m']) {
      byWidth[width] = await allBuckets(sim, path, {
        start_time: start,
        end_time: end,
        bucket_width: width,
        limit: width === '1m' ? 1440 : undefined,
      });
    }
    expect(byWidth['1d']).toHaveLength(2);
    expect(byWidth['1h']).toHaveLength(48);
    expect(byWidth['1m']).toHaveLength(2880);
    for (const field of SOURCE_METRICS[source]) {
      const truth = sim.org.sumUsage(source, field, start, end);
      expect(sumField(byWidth['1d'], field)).toBe(truth);
      expect(sumField(byWidth['1h'], field)).toBe(truth);
      expect(sumField(byWidth['1m'], field)).toBe(truth);
    }
    expect(sim.org.sumUsage(source, SOURCE_METRICS[source][0], start, end)).toBeGreaterThan(0);
  });

  test('completions token breakdown adds up', async () => {
    const buckets = await allBuckets(sim, COMPLETIONS, {
      start_time: start,
      end_time: end,
      bucket_width: '1h',
      group_by: ['model'],
    });
    for (const b of buckets) {
      for (const r of b.results) {
        expect(r.input_tokens).toBe(r.input_uncached_tokens + r.input_cached_tokens + r.input_cache_write_tokens);
        expect(r.input_uncached_tokens).toBe(r.input_text_tokens + r.input_audio_tokens + r.input_image_tokens);
        expect(r.input_cached_tokens).toBe(
          r.input_cached_text_tokens + r.input_cached_audio_tokens + r.input_cached_image_tokens
        );
        expect(r.output_tokens).toBe(r.output_text_tokens + r.output_audio_tokens + r.output_image_tokens);
      }
    }
  });

  test('1m buckets are sparse but not empty; empty buckets are present', async () => {
    const buckets = await allBuckets(sim, COMPLETIONS, {
      start_time: TODAY - DAY,
      end_time: TODAY - DAY + 6 * 3600,
      bucket_width: '1m',
      limit: 1440,
    });
    expect(buckets).toHaveLength(360);
    const empty = buckets.filter((b) => b.results.length === 0).length;
    expect(empty).toBeGreaterThan(0);
    expect(empty).toBeLessThan(360);
    buckets.forEach((b, i) => {
      expect(b.start_time).toBe(TODAY - DAY + i * 60);
      expect(b.end_time).toBe(b.start_time + 60);
    });
  });

  test('nothing exists after now', async () => {
    expect(sim.org.sumUsage('completions', 'num_model_requests', NOW, NOW + 10 * DAY)).toBe(0);
    const res = await api(sim, COMPLETIONS, { start_time: NOW + 3600 });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect(res.body.has_more).toBe(false);
  });
});

describe('bucket boundaries', () => {
  test('unaligned start gives a partial first bucket; no end_time ends at now', async () => {
    const start = TODAY - 3 * DAY + 12345;
    const res = await api(sim, COMPLETIONS, { start_time: start, bucket_width: '1d' });
    const data = res.body.data;
    expect(data.map((b: any) => [b.start_time, b.end_time])).toEqual([
      [start, TODAY - 2 * DAY],
      [TODAY - 2 * DAY, TODAY - DAY],
      [TODAY - DAY, TODAY],
      [TODAY, NOW],
    ]);
    expect(res.body.has_more).toBe(false);
    expect(res.body.next_page).toBeNull();
  });

  test('hourly: partial first bucket, last bucket ends at end_time', async () => {
    const start = TODAY - DAY + 1800;
    const end = TODAY - DAY + 5 * 3600 + 600;
    const res = await api(sim, COMPLETIONS, { start_time: start, end_time: end, bucket_width: '1h' });
    const data = res.body.data;
    expect(data).toHaveLength(6);
    expect(data[0]).toMatchObject({ start_time: start, end_time: TODAY - DAY + 3600 });
    expect(data[5]).toMatchObject({ start_time: TODAY - DAY + 5 * 3600, end_time: end });
  });

  test('end_time after now stops at now', async () => {
    const res = await api(sim, COMPLETIONS, { start_time: TODAY, end_time: NOW + 5 * DAY, bucket_width: '1h' });
    const last = res.body.data[res.body.data.length - 1];
    expect(last.end_time).toBe(NOW);
    expect(res.body.data).toHaveLength(Math.ceil((NOW - TODAY) / 3600));
  });
});

describe('limits', () => {
  const start = TODAY - 30 * DAY;
  test.each([
    ['1d', 7, 31],
    ['1h', 24, 168],
    ['1m', 60, 1440],
  ] as const)('%s: default %i, max %i', async (width, def, max) => {
    const dflt = await api(sim, COMPLETIONS, { start_time: start, bucket_width: width });
    expect(dflt.body.data).toHaveLength(def);
    expect(dflt.body.has_more).toBe(true);
    const atMax = await api(sim, COMPLETIONS, { start_time: start, bucket_width: width, limit: max });
    expect(atMax.status).toBe(200);
    expect(atMax.body.data).toHaveLength(width === '1d' ? 31 : max);
    const over = await api(sim, COMPLETIONS, { start_time: start, bucket_width: width, limit: max + 1 });
    expect(over.status).toBe(400);
    expect(over.body.error.param).toBe('limit');
    expect(over.body.error.message).toContain(String(max));
  });

  test('costs: default 7, max 180, only 1d', async () => {
    expect((await api(sim, COSTS, { start_time: start })).body.data).toHaveLength(7);
    expect((await api(sim, COSTS, { start_time: TODAY - 179 * DAY, limit: 180 })).body.data).toHaveLength(180);
    const over = await api(sim, COSTS, { start_time: start, limit: 181 });
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain('180');
    const hourly = await api(sim, COSTS, { start_time: start, bucket_width: '1h' });
    expect(hourly.status).toBe(400);
    expect(hourly.body.error.param).toBe('bucket_width');
  });

  test('bad parameters', async () => {
    expect((await api(sim, COMPLETIONS, { limit: 0, start_time: start })).status).toBe(400);
    const missing = await api(sim, COMPLETIONS, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe('start_time');
    expect((await api(sim, COMPLETIONS, { start_time: 'yesterday' })).status).toBe(400);
    expect((await api(sim, COMPLETIONS, { start_time: start, bucket_width: '5m' })).status).toBe(400);
    expect((await api(sim, COMPLETIONS, { start_time: start, end_time: start - 10 })).status).toBe(400);
  });
});

describe('pagination', () => {
  test('next_page walks every bucket exactly once', async () => {
    const start = TODAY - 5 * DAY + 1234;
    const end = start + 100 * 3600;
    const seen: number[] = [];
    let page: string | undefined;
    let pages = 0;
    do {
      const res = await api(sim, COMPLETIONS, {
        start_time: start,
        end_time: end,
        bucket_width: '1h',
        limit: 24,
        page,
      });
      expect(res.status).toBe(200);
      pages++;
      for (const b of res.body.data) {
        seen.push(b.start_time);
      }
      page = res.body.has_more ? res.body.next_page : undefined;
      if (res.body.has_more) {
        expect(res.body.next_page).toMatch(/^page_/);
      } else {
        expect(res.body.next_page).toBeNull();
      }
    } while (page);
    expect(pages).toBe(5);
    // 100 h from an unaligned start: a partial first hour plus 100 boundaries crossed.
    expect(seen).toHaveLength(101);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen[0]).toBe(start);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i] % 3600).toBe(0);
      expect(seen[i]).toBeGreaterThan(seen[i - 1]);
    }
  });

  test('invalid cursors are rejected', async () => {
    const start = TODAY - 10 * DAY;
    for (const page of ['garbage', 'page_AAAA', 'page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=']) {
      const res = await api(sim, COMPLETIONS, { start_time: start, page });
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe('page');
    }
    // A cursor belongs to the query it came from.
    const first = await api(sim, COMPLETIONS, { start_time: start });
    const other = await api(sim, COMPLETIONS, { start_time: start + 60, page: first.body.next_page });
    expect(other.status).toBe(400);
  });
});

describe('group_by', () => {
  test('unknown values are rejected naming the allowed ones', async () => {
    const res = await api(sim, COMPLETIONS, { start_time: TODAY - DAY, group_by: ['project_id', 'size'] });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('group_by');
    for (const v of ['project_id', 'user_id', 'api_key_id', 'model', 'batch', 'service_tier']) {
      expect(res.body.error.message).toContain(v);
    }
    const costs = await api(sim, COSTS, { start_time: TODAY - DAY, group_by: ['model'] });
    expect(costs.status).toBe(400);
    expect(costs.body.error.message).toContain('line_item');
  });

  test('groups add up to the ungrouped total and plain repeated keys work too', async () => {
    const params = { start_time: TODAY - 2 * DAY, end_time: TODAY, bucket_width: '1d' };
    const total = sumField((await api(sim, COMPLETIONS, params)).body.data, 'output_tokens');
    const grouped = await api(
      sim,
      COMPLETIONS,
      { ...params, group_by: ['model', 'service_tier'] },
      { arrays: 'repeat' }
    );
    expect(sumField(grouped.body.data, 'output_tokens')).toBe(total);
    const combos = new Set(grouped.body.data[0].results.map((r: any) => `${r.model}|${r.service_tier}`));
    expect(combos.size).toBe(grouped.body.data[0].results.length);
    expect(grouped.body.data[0].results.every((r: any) => r.model && r.service_tier && r.project_id === null)).toBe(
      true
    );
  });

  test('percent-encoded brackets are understood', async () => {
    const res = await fetch(`${sim.url}${COMPLETIONS}?start_time=${TODAY - DAY}&group_by%5B%5D=batch`, {
      headers: { Authorization: 'Bearer sk-admin-sim-full' },
    });
    const body = await res.json();
    expect(body.data[0].results.map((r: any) => r.batch).sort()).toEqual([false, true]);
  });
});

describe('filters', () => {
  const start = TODAY - 7 * DAY;
  const end = TODAY;
  const base = { start_time: start, end_time: end, bucket_width: '1d' };

  test('project_ids, user_ids, api_key_ids, models, batch', async () => {
    const project = sim.org.projects.find((p) => p.name === 'Customer Support Bot')!;
    const key = sim.org.projectApiKeys.find((k) => k.project_id === project.id)!;
    const user = key.owner.type === 'user' ? key.owner.user.id : null;
    const checks: Array<[Record<string, unknown>, Record<string, any>]> = [
      [{ project_ids: [project.id] }, { project_id: project.id }],
      [{ api_key_ids: [key.id] }, { api_key_id: key.id }],
      [{ models: ['gpt-4o-2024-08-06', 'o3-2025-04-16'] }, { model: ['gpt-4o-2024-08-06', 'o3-2025-04-16'] }],
      [{ batch: true }, { batch: true }],
      [{ batch: false }, { batch: false }],
      [{ user_ids: [user!] }, { user_id: user }],
    ];
    for (const [params, match] of checks) {
      const res = await api(sim, COMPLETIONS, { ...base, ...(params as any) });
      expect(res.status).toBe(200);
      const truth = sim.org.sumUsage('completions', 'input_tokens', start, end, match);
      expect(truth).toBeGreaterThan(0);
      expect(sumField(res.body.data, 'input_tokens')).toBe(truth);
    }
    expect((await api(sim, COMPLETIONS, { ...base, batch: 'maybe' })).status).toBe(400);
  });

  test('images sizes and sources, web search context levels, file search vector stores', async () => {
    const images = await api(sim, '/v1/organization/usage/images', {
      ...base,
      sizes: ['1024x1024'],
      sources: ['image.generation'],
      group_by: ['size', 'source'],
    });
    expect(sumField(images.body.data, 'images')).toBe(
      sim.org.sumUsage('images', 'images', start, end, { size: '1024x1024', source: 'image.generation' })
    );
    expect(
      images.body.data
        .flatMap((b: any) => b.results)
        .every((r: any) => r.size === '1024x1024' && r.source === 'image.generation')
    ).toBe(true);
    expect((await api(sim, '/v1/organization/usage/images', { ...base, sizes: ['640x480'] })).status).toBe(400);

    const web = await api(sim, '/v1/organization/usage/web_search_calls', { ...base, context_levels: ['high'] });
    expect(sumField(web.body.data, 'num_requests')).toBe(
      sim.org.sumUsage('web_search_calls', 'num_requests', start, end, { context_level: 'high' })
    );
    expect(
      (await api(sim, '/v1/organization/usage/web_search_calls', { ...base, context_levels: ['huge'] })).status
    ).toBe(400);

    const vs = sim.org.vectorStores[0].id;
    const files = await api(sim, '/v1/organization/usage/file_search_calls', { ...base, vector_store_ids: [vs] });
    const truth = sim.org.sumUsage('file_search_calls', 'num_requests', start, end, { vector_store_id: vs });
    expect(truth).toBeGreaterThan(0);
    expect(sumField(files.body.data, 'num_requests')).toBe(truth);
  });

  test('filters an endpoint does not define are ignored', async () => {
    const path = '/v1/organization/usage/code_interpreter_sessions';
    const plain = await api(sim, path, base);
    const withModels = await api(sim, path, { ...base, models: ['gpt-4o-2024-08-06'] });
    expect(withModels.body).toEqual(plain.body);
  });
});

describe('vector stores', () => {
  test('usage_bytes is the level at each bucket start', async () => {
    const res = await api(sim, '/v1/organization/usage/vector_stores', {
      start_time: TODAY - DAY + 7200,
      end_time: TODAY + 3 * 3600,
      bucket_width: '1h',
      limit: 168,
      group_by: ['project_id'],
    });
    const ids = sim.org.storageProjectIds();
    expect(ids.length).toBeGreaterThanOrEqual(2);
    for (const b of res.body.data) {
      expect(b.results.map((r: any) => r.project_id).sort()).toEqual([...ids].sort());
      for (const r of b.results) {
        expect(r.usage_bytes).toBe(sim.org.vectorStoreBytes(r.project_id, b.start_time));
      }
    }
    // A step function: constant within a day, different across days.
    const [p] = ids;
    expect(sim.org.vectorStoreBytes(p, TODAY + 10)).toBe(sim.org.vectorStoreBytes(p, TODAY + 20000));
    expect(sim.org.vectorStoreBytes(p, TODAY)).not.toBe(sim.org.vectorStoreBytes(p, TODAY - DAY));
    const ungrouped = await api(sim, '/v1/organization/usage/vector_stores', {
      start_time: TODAY - DAY,
      end_time: TODAY,
    });
    expect(ungrouped.body.data[0].results[0].usage_bytes).toBe(
      ids.reduce((s, id) => s + sim.org.vectorStoreBytes(id, TODAY - DAY), 0)
    );
  });
});

describe('costs', () => {
  const start = TODAY - 7 * DAY + 5000;
  const end = TODAY;

  test('total equals org.sumCost and line items are named like OpenAI', async () => {
    const res = await api(sim, COSTS, { start_time: start, end_time: end, group_by: ['line_item'] });
    expect(res.body.data).toHaveLength(7);
    expect(res.body.data[0].start_time).toBe(start);
    expect(sumField(res.body.data, 'amount')).toBeCloseTo(sim.org.sumCost(start, end), 6);
    const items = new Set<string>(res.body.data.flatMap((b: any) => b.results.map((r: any) => r.line_item)));
    for (const name of [
      'gpt-4o-2024-08-06, input',
      'gpt-4o-2024-08-06, cached input',
      'gpt-4o-2024-08-06, output',
      'gpt-4o-mini-2024-07-18, batch input',
      'gpt-4o-mini-2024-07-18, batch output',
      'web search tool calls',
      'file search tool calls',
      'code interpreter sessions',
      'vector store storage',
      'gpt-image-1, image',
      'tts-1, characters',
      'whisper-1, seconds',
    ]) {
      expect(items).toContain(name);
    }
    for (const item of items) {
      expect(sim.org.costLineItems).toContain(item);
    }
    const r = res.body.data[1].results.find((x: any) => x.line_item === 'gpt-4o-2024-08-06, input');
    expect(r.quantity_unit).toBe('tokens');
    expect(r.quantity).toBeGreaterThan(0);
    expect(r.amount.currency).toBe('usd');
  });

  test('per project and per key, exact per bucket', async () => {
    const res = await api(sim, COSTS, { start_time: start, end_time: end, group_by: ['project_id', 'api_key_id'] });
    for (const b of res.body.data) {
      for (const r of b.results) {
        expect(r.amount.value).toBe(
          sim.org.sumCost(b.start_time, b.end_time, { project_id: r.project_id, api_key_id: r.api_key_id })
        );
        expect(r.quantity).toBeNull();
      }
    }
    const project = sim.org.projects.find((p) => p.name === 'Marketing Studio')!;
    const filtered = await api(sim, COSTS, { start_time: start, end_time: end, project_ids: [project.id] });
    expect(sumField(filtered.body.data, 'amount')).toBeCloseTo(
      sim.org.sumCost(start, end, { project_id: project.id }),
      6
    );
  });

  test('amountAsString sends the value as a string', async () => {
    sim.configure({ amountAsString: true });
    try {
      const res = await api(sim, COSTS, { start_time: start, end_time: end });
      const value = res.body.data[1].results[0].amount.value;
      expect(typeof value).toBe('string');
      expect(Number(value)).toBe(sim.org.sumCost(res.body.data[1].start_time, res.body.data[1].end_time));
    } finally {
      sim.configure({ amountAsString: false });
    }
  });
});

describe('determinism', () => {
  test('a day looks the same whatever now is; same seed → same org', async () => {
    const other = await startSimulator({ now: NOW + 20 * DAY, seed: 42 });
    const different = await startSimulator({ now: NOW, seed: 7 });
    try {
      expect(other.org.projects.map((p) => p.id)).toEqual(sim.org.projects.map((p) => p.id));
      const day = TODAY - 3 * DAY;
      expect(other.org.sumUsage('completions', 'input_tokens', day, day + DAY)).toBe(
        sim.org.sumUsage('completions', 'input_tokens', day, day + DAY)
      );
      expect(other.org.sumCost(day, day + DAY)).toBe(sim.org.sumCost(day, day + DAY));
      expect(different.org.projects[0].id).not.toBe(sim.org.projects[0].id);
      expect(different.org.sumUsage('completions', 'input_tokens', day, day + DAY)).not.toBe(
        sim.org.sumUsage('completions', 'input_tokens', day, day + DAY)
      );
    } finally {
      await other.close();
      await different.close();
    }
  });

  test('200 days of history', () => {
    expect(sim.org.sumUsage('completions', 'num_model_requests', TODAY - 200 * DAY, TODAY - 199 * DAY)).toBeGreaterThan(
      0
    );
  });
});
