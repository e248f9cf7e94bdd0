import { readFileSync } from 'fs';
import { join } from 'path';

import { ENDPOINTS, SOURCE_IDS, defaultMetrics, findMetric } from '../api/catalog';
import { UsageBucket, UsagePage, UsageResult } from '../api/types';
import { buildFrames, fillLegend } from './frames';
import { parseAmount } from './values';
import { parseLineItem } from './lineItems';
import { joinBuckets } from './buckets';

const EXAMPLES = join(__dirname, '../../tests/fixtures/openai/examples');
const example = <T>(file: string): T => JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8'));
const exampleFile = (id: string) => (id === 'costs' ? 'costs.json' : `usage-${id.replace(/_/g, '-')}.json`);

function frameValues(frames: ReturnType<typeof buildFrames>) {
  return frames.map((f) => ({ name: f.name, values: f.fields[1].values, unit: f.fields[1].config.unit }));
}

describe('frames from the official example payloads', () => {
  it.each(SOURCE_IDS)('%s: every metric of the example page is read without loss', (id) => {
    const def = ENDPOINTS[id];
    const page = example<UsagePage>(exampleFile(id));
    const frames = buildFrames({
      def,
      metrics: def.metrics,
      groupBy: [],
      width: '1d',
      buckets: page.data,
      names: {},
      refId: 'A',
    });
    expect(frames).toHaveLength(def.metrics.length);
    const result = page.data[0].results[0];
    def.metrics.forEach((m, i) => {
      const expected = m.value === 'money' ? parseAmount(result) : ((result[m.field] as number | undefined) ?? 0);
      expect(frames[i].fields[1].values).toEqual([expected]);
      expect(frames[i].fields[1].config.unit).toBe(m.unit);
      expect(frames[i].fields[0].values).toEqual([page.data[0].start_time * 1000]);
    });
  });

  it('reads the example result objects of grouped queries, with labels for ID and name', () => {
    const result = example<UsageResult>('objects/usage-completions-result.json');
    const def = ENDPOINTS.completions;
    const buckets: UsageBucket[] = [{ object: 'bucket', start_time: 0, end_time: 86400, results: [result] }];
    const [frame] = buildFrames({
      def,
      metrics: [findMetric(def, 'input_tokens')!],
      groupBy: ['model', 'project_id'],
      width: '1d',
      buckets,
      names: { project: new Map([[result.project_id!, 'Support bot']]) },
      refId: 'A',
    });
    expect(frame.fields[1].labels).toMatchObject({
      model: result.model,
      project_id: result.project_id,
      project: 'Support bot',
    });
    expect(frame.name).toBe(`${result.model} · Support bot`);
    expect(frame.fields[1].values).toEqual([result.input_tokens]);
  });
});

describe('buildFrames', () => {
  const def = ENDPOINTS.costs;
  const cost = (
    value: number | string,
    line_item: string | null,
    project_id: string | null = 'proj_a'
  ): UsageResult => ({
    object: 'organization.costs.result',
    amount: { value, currency: 'usd' },
    line_item,
    project_id,
  });
  const day = (i: number, results: UsageResult[]): UsageBucket => ({
    object: 'bucket',
    start_time: i * 86400,
    end_time: (i + 1) * 86400,
    results,
  });

  it('fills empty buckets with zeros and parses amounts sent as strings', () => {
    const frames = buildFrames({
      def,
      metrics: def.metrics,
      groupBy: ['project_id'],
      width: '1d',
      buckets: [day(0, [cost('1.25', null)]), day(1, []), day(2, [cost(0.5, null)])],
      names: {},
      refId: 'A',
    });
    expect(frameValues(frames)).toEqual([{ name: 'proj_a', values: [1.25, 0, 0.5], unit: 'currencyUSD' }]);
  });

  it('derives spend per model from line items and keeps non-model items apart', () => {
    const frames = buildFrames({
      def,
      metrics: def.metrics,
      groupBy: ['line_item'],
      width: '1d',
      costByModel: true,
      buckets: [
        day(0, [
          cost(1, 'gpt-4o-2024-08-06, input'),
          cost(2, 'gpt-4o-2024-08-06, cached input'),
          cost(4, 'gpt-4o-2024-08-06, output'),
          cost(0.5, 'web search tool calls'),
        ]),
      ],
      names: {},
      refId: 'A',
    });
    expect(frameValues(frames)).toEqual([
      { name: 'gpt-4o-2024-08-06', values: [7], unit: 'currencyUSD' },
      { name: '(not per model)', values: [0.5], unit: 'currencyUSD' },
    ]);
    expect(frames[0].meta?.notices?.map((n) => n.text).join(' ')).toMatch(/derived from cost line items/);
  });

  it('refuses an unreadable amount instead of counting it as zero', () => {
    const bad = { object: 'organization.costs.result', amount: { value: 'n/a', currency: 'usd' } } as UsageResult;
    expect(() =>
      buildFrames({
        def,
        metrics: def.metrics,
        groupBy: [],
        width: '1d',
        buckets: [day(0, [bad])],
        names: {},
        refId: 'A',
      })
    ).toThrow(/no readable amount/);
  });

  it('refuses the same group twice in one bucket', () => {
    expect(() =>
      buildFrames({
        def,
        metrics: def.metrics,
        groupBy: ['project_id'],
        width: '1d',
        buckets: [day(0, [cost(1, null), cost(1, null)])],
        names: {},
        refId: 'A',
      })
    ).toThrow(/same group twice/);
  });

  it('applies a legend format with names and IDs', () => {
    expect(
      fillLegend('{{project}} ({{project_id}}) {{missing}}', { project: 'Bot', project_id: 'proj_1' }, 'Bot')
    ).toBe('Bot (proj_1) ');
  });

  it('keeps the plugin’s own name when a legend format leaves nothing to read', () => {
    expect(fillLegend('{{api_key_id}}', { api_key_id: '', api_key: '(no API key)' }, '(no API key)')).toBe(
      '(no API key)'
    );
  });

  it('names series without a user, key or model in words, in their labels too', () => {
    const frames = buildFrames({
      def: ENDPOINTS.completions,
      metrics: [ENDPOINTS.completions.metrics[0]],
      groupBy: ['api_key_id', 'model'],
      width: '1d',
      buckets: [
        {
          object: 'bucket',
          start_time: 0,
          end_time: 86400,
          results: [
            { object: 'organization.usage.completions.result', input_tokens: 5, api_key_id: null, model: null },
          ],
        },
      ],
      names: { apiKey: new Map() },
      legendFormat: '{{api_key}}',
      refId: 'A',
    });
    expect(frames[0].fields[1].labels).toEqual({ api_key_id: '', api_key: '(no API key)', model: '(no model)' });
    expect(frames[0].fields[1].config.displayNameFromDS).toBe('(no API key)');
  });

  it('shows the metric name for an ungrouped query even when every bucket is empty', () => {
    const usage = ENDPOINTS.completions;
    const frames = buildFrames({
      def: usage,
      metrics: defaultMetrics(usage).map((f) => findMetric(usage, f)!),
      groupBy: [],
      width: '1h',
      buckets: [day(0, []), day(1, [])],
      names: {},
      refId: 'A',
    });
    expect(frames.map((f) => f.name)).toEqual(['Input tokens', 'Output tokens', 'Cached input tokens']);
    expect(frames.every((f) => f.fields[1].values.every((v: number) => v === 0))).toBe(true);
  });
});

describe('parseLineItem', () => {
  it.each([
    ['gpt-4o-2024-08-06, input', 'gpt-4o-2024-08-06', 'input'],
    ['gpt-4o-2024-08-06, cached input', 'gpt-4o-2024-08-06', 'cached input'],
    ['o3-2025-04-16, batch output', 'o3-2025-04-16', 'batch output'],
    ['web search tool calls', null, 'web search tool calls'],
    [null, null, 'unknown'],
  ])('%s', (text, model, tokenType) => {
    expect(parseLineItem(text)).toEqual({ model, tokenType });
  });
});

describe('joinBuckets', () => {
  const b = (s: number, e: number): UsageBucket => ({ object: 'bucket', start_time: s, end_time: e, results: [] });
  it('accepts buckets that join up across windows, starting with a partial bucket', () => {
    expect(joinBuckets([[b(100, 3600), b(3600, 7200)], [b(7200, 9000)]], 100)).toHaveLength(3);
  });
  it('refuses a gap or an overlap', () => {
    expect(() => joinBuckets([[b(0, 3600)], [b(7200, 10800)]], 0)).toThrow(/do not join up/);
    expect(() => joinBuckets([[b(0, 3600)], [b(0, 3600)]], 0)).toThrow(/do not join up/);
  });
});
