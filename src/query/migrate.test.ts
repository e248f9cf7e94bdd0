/**
 * Saved queries of schema version 1 (and unversioned ones, the same shape) as the previous version saved them:
 * targets of the bundled dashboards and what the query editors wrote. Each must migrate to the current shape and
 * give the same frames on the simulator as that shape written by hand.
 */
import { Harness, startHarness } from '../../tests/harness';
import { DEFAULT_INSIGHT_KIND } from '../insights/kinds';
import { CURRENT_SCHEMA_VERSION, OpenAIQuery, QueryType } from '../types';
import { migrateQuery } from './migrate';

const insight = (fields: Partial<OpenAIQuery>): OpenAIQuery =>
  ({ refId: 'A', schemaVersion: 1, queryType: QueryType.Insight, ...fields }) as OpenAIQuery;

/** Version 1 targets and their current shape. */
const CASES: Array<{ name: string; v1: OpenAIQuery; current: Partial<OpenAIQuery> }> = [
  // The bundled cost insights dashboard.
  { name: 'budget', v1: insight({ insight: 'budget' }), current: { insight: 'budget' } },
  {
    name: 'spend by model',
    v1: insight({ insight: 'spendByModel', groupBy: [] }),
    current: { insight: 'spendByModel' },
  },
  {
    name: 'spend by model and token type',
    v1: insight({ insight: 'spendByModel', groupBy: ['line_item'] }),
    current: { insight: 'spendByModel', byTokenType: true },
  },
  {
    name: 'spend by user',
    v1: insight({ insight: 'attributedSpend', groupBy: ['user_id'] }),
    current: { insight: 'attributedSpend', attributeTo: 'user_id' },
  },
  {
    name: 'spend by API key',
    v1: insight({ insight: 'attributedSpend', groupBy: ['api_key_id'] }),
    current: { insight: 'attributedSpend', attributeTo: 'api_key_id' },
  },
  {
    name: 'cache efficiency',
    v1: insight({ insight: 'cacheEfficiency', groupBy: [] }),
    current: { insight: 'cacheEfficiency' },
  },
  { name: 'reconciliation', v1: insight({ insight: 'reconciliation' }), current: { insight: 'reconciliation' } },
  // What the insight editor's switches wrote: both switches on (project added last), by project alone.
  {
    name: 'spend by model, token type and project',
    v1: insight({ insight: 'spendByModel', groupBy: ['line_item', 'project_id'], filters: {} }),
    current: { insight: 'spendByModel', byTokenType: true, byProject: true, filters: {} },
  },
  {
    name: 'cache efficiency by project',
    v1: insight({ insight: 'cacheEfficiency', groupBy: ['project_id'], legendFormat: '{{model}} {{project}}' }),
    current: { insight: 'cacheEfficiency', byProject: true, legendFormat: '{{model}} {{project}}' },
  },
  {
    name: 'spend by model after switching from a time series grouped by project',
    v1: insight({ insight: 'spendByModel', source: 'costs', groupBy: ['project_id'], bucketWidth: 'auto' }),
    current: { insight: 'spendByModel', source: 'costs', byProject: true, bucketWidth: 'auto' },
  },
];

/** Types whose shape did not change: only the version moves. */
const UNCHANGED: OpenAIQuery[] = [
  // The editor's default query.
  {
    refId: 'A',
    schemaVersion: 1,
    queryType: QueryType.TimeSeries,
    source: 'costs',
    metrics: [],
    bucketWidth: 'auto',
    groupBy: ['project_id'],
    filters: {},
  },
  // Costs overview: cost by model.
  {
    refId: 'A',
    schemaVersion: 1,
    queryType: QueryType.TimeSeries,
    source: 'costs',
    metrics: ['amount'],
    bucketWidth: '1d',
    groupBy: ['line_item'],
    filters: {},
    costByModel: true,
  },
  // Token usage: tokens by model.
  {
    refId: 'A',
    schemaVersion: 1,
    queryType: QueryType.TimeSeries,
    source: 'completions',
    metrics: ['input_tokens'],
    bucketWidth: 'auto',
    groupBy: ['model'],
    filters: {},
    legendFormat: '{{model}} input',
  },
  // The annotation of audit logs.
  { refId: 'Anno', schemaVersion: 1, queryType: QueryType.AuditLogs },
  { refId: 'A', schemaVersion: 1, queryType: QueryType.Inventory, inventory: 'users', activityWindow: '30d' },
];

describe('migrateQuery', () => {
  it.each(CASES)('$name: version 1 becomes the insight fields, and group-by goes', ({ v1, current }) => {
    expect(migrateQuery(v1)).toEqual({ ...v1, groupBy: undefined, ...current, schemaVersion: CURRENT_SCHEMA_VERSION });
    expect('groupBy' in migrateQuery(v1)).toBe(false);
  });

  it.each(CASES)('$name: an unversioned query migrates like version 1', ({ v1 }) => {
    const { schemaVersion, ...unversioned } = v1;
    expect(schemaVersion).toBe(1);
    expect(migrateQuery(unversioned)).toEqual(migrateQuery(v1));
  });

  it('keeps the shape of types that did not change, moving only the version', () => {
    for (const q of UNCHANGED) {
      expect(migrateQuery(q)).toEqual({ ...q, schemaVersion: CURRENT_SCHEMA_VERSION });
    }
  });

  it('leaves a current query as it is, and its group-by alone', () => {
    const current = insight({ insight: 'spendByModel', byProject: true, schemaVersion: CURRENT_SCHEMA_VERSION });
    expect(migrateQuery(current)).toBe(current);
    // A current insight keeps a time series' group-by, for when the query is switched back.
    const kept = insight({ insight: 'spendByModel', groupBy: ['model'], schemaVersion: CURRENT_SCHEMA_VERSION });
    expect(migrateQuery(kept)).toBe(kept);
  });

  it('gives an insight query without an insight the one its editor shows, so it runs', () => {
    const chosenNone = insight({ schemaVersion: CURRENT_SCHEMA_VERSION });
    expect(chosenNone.insight).toBeUndefined();
    expect(migrateQuery(chosenNone).insight).toBe(DEFAULT_INSIGHT_KIND);
    expect(migrateQuery({ refId: 'A', queryType: QueryType.Insight }).insight).toBe(DEFAULT_INSIGHT_KIND);
    // A chosen insight stays, even one this version does not know (its run names it).
    expect(migrateQuery(insight({ insight: 'budget', schemaVersion: 2 })).insight).toBe('budget');
    expect(migrateQuery(insight({ insight: 'gone' as never, schemaVersion: 2 })).insight).toBe('gone');
  });

  it('gives a new query the defaults', () => {
    expect(migrateQuery({ refId: 'A' })).toMatchObject({
      refId: 'A',
      queryType: QueryType.TimeSeries,
      source: 'costs',
      schemaVersion: CURRENT_SCHEMA_VERSION,
    });
  });
});

describe('migrated queries on the simulator', () => {
  const NOW = 1763900000;
  const DAY = 86400;
  const FROM = Math.floor(NOW / DAY) * DAY - 14 * DAY;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: NOW, jsonData: { monthlyBudget: 5000 } });
  });
  afterAll(() => h.close());

  const framesOf = async (q: Partial<OpenAIQuery>) => {
    const res = await h.query([q], FROM, NOW);
    expect(res.errors ?? []).toEqual([]);
    return JSON.parse(JSON.stringify(res.data));
  };

  it.each(CASES)('$name: the same frames as the current shape written out', async ({ v1, current }) => {
    const written = { refId: 'A', queryType: QueryType.Insight, schemaVersion: CURRENT_SCHEMA_VERSION, ...current };
    const migrated = await framesOf(v1);
    expect(migrated.length).toBeGreaterThan(0);
    expect(migrated).toEqual(await framesOf(written));
  });

  it('keeps what version 1 group-by meant: series per project, per token type, per API key', async () => {
    const labels = (frames: Array<{ fields: Array<{ labels?: Record<string, string> }> }>) =>
      frames.flatMap((f) => f.fields.flatMap((x) => Object.keys(x.labels ?? {})));
    const byProject = await framesOf(insight({ insight: 'spendByModel', groupBy: ['line_item', 'project_id'] }));
    expect(labels(byProject)).toEqual(expect.arrayContaining(['project_id', 'project', 'token_type']));
    const plain = await framesOf(insight({ insight: 'spendByModel', groupBy: [] }));
    expect(labels(plain)).not.toContain('project_id');
    expect(labels(plain)).not.toContain('token_type');
    const byKey = await framesOf(insight({ insight: 'attributedSpend', groupBy: ['api_key_id'] }));
    expect(labels(byKey)).toContain('api_key_id');
    expect(labels(byKey)).not.toContain('user_id');
  });

  it('runs an insight query saved without an insight as the one its editor shows', async () => {
    const frames = await framesOf({ refId: 'A', queryType: QueryType.Insight, schemaVersion: CURRENT_SCHEMA_VERSION });
    expect(frames.length).toBeGreaterThan(0);
    expect(frames).toEqual(await framesOf(insight({ insight: DEFAULT_INSIGHT_KIND, schemaVersion: 2 })));
  });

  it('gives the same frames for unchanged types before and after the version moves', async () => {
    for (const q of UNCHANGED.filter((x) => x.queryType === QueryType.TimeSeries)) {
      expect(await framesOf(q)).toEqual(await framesOf({ ...q, schemaVersion: CURRENT_SCHEMA_VERSION }));
    }
  });
});
