/**
 * Insights end to end: runInsight through Grafana's proxy routes to the OpenAI Admin API simulator, checked
 * against the simulator's ground truth. (Default Jest environment: @grafana/data needs `window` to load.)
 */
import { DataFrame, dateTime } from '@grafana/data';

import { Harness, queryContext, simDisplayNames, startHarness } from '../../tests/harness';
import { OpenAIDataSourceOptions, OpenAIQuery, QueryType } from '../types';
import { runInsight } from './runInsight';

const NOW = 1763900000; // 2025-11-23 12:13:20 UTC
const DAY = 86400;
const TODAY = Math.floor(NOW / DAY) * DAY;
const MONTH_START = Date.UTC(2025, 10, 1) / 1000;
const MONTH_END = Date.UTC(2025, 11, 1) / 1000;
const FROM = TODAY - 6 * DAY;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ now: NOW });
});
afterAll(async () => {
  await h?.close();
});

function run(
  query: Partial<OpenAIQuery>,
  from = FROM,
  to = NOW,
  settings: OpenAIDataSourceOptions = { monthlyBudget: 5000 }
) {
  const ctx = queryContext(h, { settings });
  return runInsight(ctx, { refId: 'A', queryType: QueryType.Insight, ...query } as OpenAIQuery, {
    range: { from: dateTime(from * 1000), to: dateTime(to * 1000), raw: { from: '', to: '' } },
    maxDataPoints: 1000,
    scopedVars: {},
  });
}

const org = () => h.sim.org;
const sum = (values: Array<number | null>) => values.reduce<number>((a, b) => a + (b ?? 0), 0);
const valuesOf = (f: DataFrame) => f.fields[1].values as Array<number | null>;
const labelsOf = (f: DataFrame) => f.fields[1].labels ?? {};
const days = Array.from({ length: 7 }, (_, i) => FROM + i * DAY);
const dayEnd = (d: number) => Math.min(d + DAY, NOW);
const field = (f: DataFrame, name: string) => f.fields.find((x) => x.name === name)!;

/** Distinct line items billed in a range, from the simulator's ground truth. */
function lineItems(from: number, to: number): string[] {
  return [
    ...new Set(
      org()
        .costItems(from, to)
        .map((c) => c.line_item)
    ),
  ];
}

describe('spend by model', () => {
  it('adds up to the bill exactly, in total and per day', async () => {
    const frames = await run({ insight: 'spendByModel' });
    expect(sum(frames.flatMap(valuesOf))).toBeCloseTo(org().sumCost(FROM, NOW), 6);
    days.forEach((d, i) => {
      expect(sum(frames.map((f) => valuesOf(f)[i]))).toBeCloseTo(org().sumCost(d, dayEnd(d)), 6);
    });
    expect(frames[0].fields[1].config.unit).toBe('currencyUSD');
  });

  it('gives each model the sum of its line items', async () => {
    const frames = await run({ insight: 'spendByModel' });
    const items = lineItems(FROM, NOW);
    const models = [...new Set(items.filter((i) => i.includes(', ')).map((i) => i.split(', ')[0]))];
    expect(models.length).toBeGreaterThan(5);
    for (const model of models) {
      const frame = frames.find((f) => labelsOf(f).model === model)!;
      const truth = items
        .filter((i) => i.startsWith(`${model}, `))
        .reduce((a, i) => a + org().sumCost(FROM, NOW, { line_item: i }), 0);
      expect(sum(valuesOf(frame))).toBeCloseTo(truth, 6);
    }
    const notPerModel = frames.find((f) => labelsOf(f).model === '')!;
    expect(notPerModel.name).toBe('(not per model)');
    const truth = items
      .filter((i) => !i.includes(', '))
      .reduce((a, i) => a + org().sumCost(FROM, NOW, { line_item: i }), 0);
    expect(sum(valuesOf(notPerModel))).toBeCloseTo(truth, 6);
  });

  it('splits by token type when grouped by line item, with model and token_type labels', async () => {
    const frames = await run({ insight: 'spendByModel', byTokenType: true });
    const items = lineItems(FROM, NOW);
    expect(frames).toHaveLength(items.length);
    for (const f of frames) {
      const { model, token_type } = labelsOf(f);
      const item = model ? `${model}, ${token_type}` : token_type;
      expect(sum(valuesOf(f))).toBeCloseTo(org().sumCost(FROM, NOW, { line_item: item }), 6);
    }
    const types = new Set(frames.map((f) => labelsOf(f).token_type));
    expect([...types]).toEqual(
      expect.arrayContaining(['input', 'cached input', 'output', 'batch input', 'batch output'])
    );
  });

  it('filters and splits by project, shown by name', async () => {
    const project = org().projects.find((p) => org().sumCost(FROM, NOW, { project_id: p.id }) > 0)!;
    const filtered = await run({ insight: 'spendByModel', filters: { projectIds: [project.id] } });
    expect(sum(filtered.flatMap(valuesOf))).toBeCloseTo(org().sumCost(FROM, NOW, { project_id: project.id }), 6);

    const byProject = await run({ insight: 'spendByModel', byProject: true });
    const mine = byProject.filter((f) => labelsOf(f).project_id === project.id);
    expect(mine.length).toBeGreaterThan(0);
    expect(labelsOf(mine[0]).project).toBe(project.name);
    expect(sum(mine.flatMap(valuesOf))).toBeCloseTo(org().sumCost(FROM, NOW, { project_id: project.id }), 6);
  });
});

describe('attributed spend', () => {
  it.each(['user_id', 'api_key_id'] as const)(
    'by %s: attributed plus unallocated is the bill exactly, per day and in total',
    async (by) => {
      const frames = await run({ insight: 'attributedSpend', attributeTo: by });
      // Whole micro-dollars on both sides: the split loses nothing.
      const micros = (v: number) => Math.round(v * 1e6);
      days.forEach((d, i) => {
        const day = frames.reduce((a, f) => a + micros(valuesOf(f)[i] ?? 0), 0);
        expect(day).toBe(org().sumCostMicros(d, dayEnd(d)));
      });
      expect(frames.reduce((a, f) => a + sum(valuesOf(f).map((v) => micros(v ?? 0))), 0)).toBe(
        org().sumCostMicros(FROM, NOW)
      );

      const unallocated = frames.find((f) => f.name === 'unallocated')!;
      const attributed = frames.filter((f) => f !== unallocated);
      expect(attributed.length).toBeGreaterThan(2);
      expect(attributed.every((f) => f.name!.endsWith(' · attributed (estimate)'))).toBe(true);
      expect(frames[frames.length - 1]).toBe(unallocated);
      // Items that name no model (tool calls, storage) can only be unallocated.
      const notPerModel = lineItems(FROM, NOW)
        .filter((i) => !i.includes(', '))
        .reduce((a, i) => a + org().sumCost(FROM, NOW, { line_item: i }), 0);
      expect(sum(valuesOf(unallocated))).toBeGreaterThanOrEqual(notPerModel - 1e-6);
      expect(frames[0].meta?.notices?.map((n) => n.text).join(' ')).toMatch(/estimate.*in proportion to the tokens/);
    }
  );

  it('names users by email and keys by name', async () => {
    const byUser = await run({ insight: 'attributedSpend', attributeTo: 'user_id' });
    const emails = new Set(org().users.map((u) => u.email));
    const user = byUser.find((f) => labelsOf(f).user_id);
    expect(emails.has(labelsOf(user!).user)).toBe(true);
    expect(user!.name).toBe(`${labelsOf(user!).user} · attributed (estimate)`);

    const byKey = await run({ insight: 'attributedSpend', attributeTo: 'api_key_id' });
    const key = byKey.find((f) => labelsOf(f).api_key_id)!;
    expect(labelsOf(key).api_key).toBe(simDisplayNames(org()).apiKey.get(labelsOf(key).api_key_id));
  });

  it('shares a line item in proportion to tokens', async () => {
    // One model, project and day: each user's share of the cached input bill follows their cached tokens.
    const d = TODAY - 2 * DAY;
    const item = org()
      .costItems(d, d + DAY)
      .find((c) => c.line_item.endsWith(', cached input'))!;
    const model = item.line_item.split(', ')[0];
    const project = item.project_id;
    const frames = await run(
      { insight: 'attributedSpend', attributeTo: 'user_id', filters: { projectIds: [project] } },
      d,
      d + DAY
    );
    const billed = org().sumCostMicros(d, d + DAY, { project_id: project });
    expect(frames.reduce((a, f) => a + Math.round((valuesOf(f)[0] ?? 0) * 1e6), 0)).toBe(billed);
    // Each user's amount is at least their proportional share of this one line item.
    const tokens = (user: string | null) =>
      org().sumUsage('completions', 'input_cached_tokens', d, d + DAY, {
        model,
        project_id: project,
        batch: false,
        user_id: user,
      });
    const all = tokens(null) + org().users.reduce((a, u) => a + tokens(u.id), 0);
    const itemMicros = org().sumCostMicros(d, d + DAY, { project_id: project, line_item: item.line_item });
    for (const f of frames.filter((x) => labelsOf(x).user_id)) {
      const share = (itemMicros * tokens(labelsOf(f).user_id)) / all;
      expect(Math.round((valuesOf(f)[0] ?? 0) * 1e6)).toBeGreaterThanOrEqual(Math.floor(share));
    }
  });

  it('refuses to attribute to anything but users or API keys', async () => {
    const query = { insight: 'attributedSpend', attributeTo: 'project_id' } as unknown as Partial<OpenAIQuery>;
    await expect(run(query)).rejects.toThrow(/per user or per API key, not "project_id"/);
  });
});

describe('budget', () => {
  it('compares month-to-date billed spend with the budget and projects the month end from the last 7 complete days', async () => {
    const [summary, chart] = await run({ insight: 'budget' });
    const value = (name: string) => field(summary, name).values[0];
    const mtd = org().sumCost(MONTH_START, NOW);
    const rate = org().sumCost(TODAY - 7 * DAY, TODAY) / 7;
    const projected = mtd + (rate * (MONTH_END - NOW)) / DAY;
    expect(summary.length).toBe(1);
    expect(value('Month-to-date spend')).toBeCloseTo(mtd, 6);
    expect(value('Monthly budget')).toBe(5000);
    expect(value('Run rate per day')).toBeCloseTo(rate, 6);
    expect(value('Projected month-end spend')).toBeCloseTo(projected, 6);
    expect(value('Budget used')).toBeCloseTo((mtd / 5000) * 100, 6);
    expect(value('Projected budget use')).toBeCloseTo((projected / 5000) * 100, 6);
    expect(field(summary, 'Month-to-date spend').config.unit).toBe('currencyUSD');
    expect(field(summary, 'Budget used').config.unit).toBe('percent');
    expect(value('Projection method')).toMatch(/last 7 complete UTC days \(2025-11-16 to 2025-11-22\)/);
    const crossing = mtd < 5000 && projected >= 5000 ? (NOW + ((5000 - mtd) / rate) * DAY) * 1000 : null;
    if (crossing === null) {
      expect(value('Budget crossed at')).toBeNull();
    } else {
      expect(value('Budget crossed at')).toBeCloseTo(crossing, -3);
    }

    // Cumulative chart: actual up to now, projection from now to month end, the budget as a line.
    const times = field(chart, 'Time').values;
    const actual = field(chart, 'Actual spend (cumulative)').values;
    const projection = field(chart, 'Projected spend (cumulative, estimate)').values;
    const nowAt = times.indexOf(NOW * 1000);
    expect(times[0]).toBe(MONTH_START * 1000);
    expect(times[times.length - 1]).toBe(MONTH_END * 1000);
    expect(actual[nowAt]).toBeCloseTo(mtd, 6);
    expect(actual[times.indexOf(TODAY * 1000)]).toBeCloseTo(org().sumCost(MONTH_START, TODAY), 6);
    expect(actual[nowAt + 1]).toBeNull();
    expect(projection[nowAt]).toBeCloseTo(mtd, 6);
    expect(projection[projection.length - 1]).toBeCloseTo(projected, 6);
    expect(new Set(field(chart, 'Budget').values)).toEqual(new Set([5000]));
  });

  it('takes the query’s budget over the data source’s, and finds when a small one was crossed', async () => {
    const [summary] = await run({ insight: 'budget', monthlyBudget: 1 });
    expect(field(summary, 'Monthly budget').values[0]).toBe(1);
    const crossed = field(summary, 'Budget crossed at').values[0];
    expect(crossed).toBeGreaterThanOrEqual(MONTH_START * 1000);
    expect(crossed).toBeLessThanOrEqual(NOW * 1000);
  });

  it('says where to set a budget when there is none', async () => {
    await expect(run({ insight: 'budget' }, FROM, NOW, {})).rejects.toThrow(/Monthly budget/);
  });
});

describe('cache efficiency', () => {
  it('gives the cached share of input tokens per model and day, empty without input', async () => {
    const frames = await run({ insight: 'cacheEfficiency', bucketWidth: '1d' });
    const shares = frames.filter((f) => f.fields[1].name === 'Cached share of input');
    expect(shares.length).toBeGreaterThan(3);
    for (const f of shares) {
      const model = labelsOf(f).model;
      days.forEach((d, i) => {
        const input = org().sumUsage('completions', 'input_tokens', d, dayEnd(d), { model });
        const cached = org().sumUsage('completions', 'input_cached_tokens', d, dayEnd(d), { model });
        const v = valuesOf(f)[i];
        if (input === 0) {
          expect(v).toBeNull();
        } else {
          expect(v).toBeCloseTo(cached / input, 12);
        }
      });
      expect(f.fields[1].config.unit).toBe('percentunit');
    }
  });

  it('estimates money saved from the day’s input and cached input prices', async () => {
    const frames = await run({ insight: 'cacheEfficiency', bucketWidth: '1d' });
    const savings = frames.filter((f) => f.fields[1].name === 'Saved by caching (estimate)');
    expect(savings.length).toBeGreaterThan(2);
    let checked = 0;
    for (const f of savings) {
      const model = labelsOf(f).model;
      expect(f.name).toContain('saved by caching (estimate)');
      days.forEach((d, i) => {
        const end = dayEnd(d);
        const inputCost = org().sumCost(d, end, { line_item: `${model}, input` });
        const cachedCost = org().sumCost(d, end, { line_item: `${model}, cached input` });
        const match = { model, batch: false };
        const cached = org().sumUsage('completions', 'input_cached_tokens', d, end, match);
        const uncached = org().sumUsage('completions', 'input_tokens', d, end, match) - cached;
        const v = valuesOf(f)[i];
        if (inputCost > 0 && cachedCost > 0 && cached > 0 && uncached > 0) {
          expect(v).toBeCloseTo(cached * (inputCost / uncached - cachedCost / cached), 9);
          checked++;
        } else {
          expect(v).toBeNull();
        }
      });
    }
    expect(checked).toBeGreaterThan(5);
  });
});

describe('reconciliation', () => {
  it('puts billed and attributed cost side by side per project and day, with the gap', async () => {
    const [table] = await run({ insight: 'reconciliation' });
    const col = (name: string) => field(table, name).values;
    expect(table.fields.map((f) => f.name)).toEqual([
      'Day',
      'Project',
      'Project ID',
      'Billed',
      'Attributed',
      'Gap',
      'Gap %',
    ]);
    const n = table.length;
    expect(n).toBeGreaterThan(7);
    for (let i = 0; i < n; i++) {
      const day = col('Day')[i] / 1000;
      const project = col('Project ID')[i];
      expect(col('Billed')[i]).toBeCloseTo(org().sumCost(day, dayEnd(day), { project_id: project }), 6);
      expect(col('Gap')[i]).toBeCloseTo(col('Billed')[i] - col('Attributed')[i], 6);
      expect(col('Attributed')[i]).toBeLessThanOrEqual(col('Billed')[i] + 1e-9);
      if (col('Billed')[i] !== 0) {
        expect(col('Gap %')[i]).toBeCloseTo((col('Gap')[i] / col('Billed')[i]) * 100, 6);
      }
      expect(col('Project')[i]).toBe(simDisplayNames(org()).project.get(project));
      if (i > 0) {
        const prev = col('Day')[i - 1];
        expect(
          prev < col('Day')[i] ||
            (prev === col('Day')[i] && col('Project')[i - 1].localeCompare(col('Project')[i]) <= 0)
        ).toBe(true);
      }
    }
    expect(sum(col('Billed'))).toBeCloseTo(org().sumCost(FROM, NOW), 6);

    // The attributed column is what attribution found usage for: the bill less "unallocated".
    const attribution = await run({ insight: 'attributedSpend', attributeTo: 'user_id' });
    const unallocated = sum(valuesOf(attribution.find((f) => f.name === 'unallocated')!));
    expect(sum(col('Attributed'))).toBeCloseTo(org().sumCost(FROM, NOW) - unallocated, 6);
  });
});

it('asks for an insight when none is chosen', async () => {
  await expect(run({})).rejects.toThrow('Choose an insight.');
});
