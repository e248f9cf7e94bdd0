/**
 * Every row of the bad input table through the real DataSource, Grafana's proxy routes and the simulator. A bad
 * saved query or answer runs in one panel with a good query, which must still return exactly its frames.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DataFrame, DataQueryResponse } from '@grafana/data';

import { DataSource } from '../../src/datasource';
import { OpenAIDataSourceOptions, OpenAIQuery } from '../../src/types';
import { Harness, panelRequest, startHarness } from '../harness';
import { defaultFaults } from '../simulator/faults';
import { BAD_INPUTS, BadInput } from './cases';

const NOW = 1763900000; // 2025-11-23 12:13:20 UTC
const DAY = 86400;
const TODAY = Math.floor(NOW / DAY) * DAY;
/** A settled week, so no answer is provisional. */
const FROM = TODAY - 8 * DAY;
const TO = TODAY - DAY;

const GOOD: Partial<OpenAIQuery> = {
  queryType: 'timeSeries' as OpenAIQuery['queryType'],
  source: 'costs',
  bucketWidth: '1d',
  groupBy: ['line_item'],
  metrics: [],
  schemaVersion: 2,
};
/** JavaScript's own error texts, which must never reach a panel. */
const RAW_ERROR = /is not a function|Cannot read propert|undefined|\[object Object\]|Unexpected error|TypeError/;

let h: Harness;
let baseline: unknown;
beforeAll(async () => {
  h = await startHarness({ now: NOW });
  baseline = shape(ok(await run(h.ds, [GOOD])));
});
afterAll(() => h.close());
beforeEach(() => {
  const { latencyMs, jitterMs, amountAsString, ...faults } = defaultFaults();
  void latencyMs;
  void jitterMs;
  void amountAsString;
  h.sim.configure(faults);
  h.sim.resetStats();
});

function run(
  ds: DataSource,
  targets: Array<Partial<OpenAIQuery> | Record<string, unknown>>
): Promise<DataQueryResponse> {
  const withRefIds = targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), ...t }) as OpenAIQuery);
  return ds.query(panelRequest(withRefIds, FROM, TO, 1000)) as Promise<DataQueryResponse>;
}

function ok(res: DataQueryResponse): DataFrame[] {
  expect(res.errors ?? []).toEqual([]);
  return res.data as DataFrame[];
}

/** What a panel shows of frames: names, labels, values and display names, not the refId. */
function shape(frames: DataFrame[]) {
  return frames.map((f) => ({
    name: f.name,
    fields: f.fields.map((x) => ({
      name: x.name,
      labels: x.labels,
      values: x.values,
      display: x.config.displayNameFromDS,
    })),
  }));
}

function framesOf(res: DataQueryResponse, refId: string): DataFrame[] {
  return (res.data as DataFrame[]).filter((f) => f.refId === refId);
}

function errorOf(res: DataQueryResponse, refId: string): string | undefined {
  return res.errors?.find((e) => e.refId === refId)?.message;
}

let lost = 0;

function expectGoodQueryKept(res: DataQueryResponse, refId: string) {
  const kept =
    errorOf(res, refId) === undefined && JSON.stringify(shape(framesOf(res, refId))) === JSON.stringify(baseline);
  lost += kept ? 0 : 1;
  expect(errorOf(res, refId)).toBeUndefined();
  expect(shape(framesOf(res, refId))).toEqual(baseline);
}

async function expectOutcome(ds: DataSource, row: BadInput, res: DataQueryResponse, refId: string) {
  if (row.expect instanceof RegExp) {
    const message = errorOf(res, refId);
    expect(message).toMatch(row.expect);
    expect(message).not.toMatch(RAW_ERROR);
    expect(framesOf(res, refId)).toEqual([]);
  } else {
    expect(errorOf(res, refId)).toBeUndefined();
    const same = ok(await run(ds, [row.expect.sameAs]));
    expect(shape(framesOf(res, refId))).toEqual(shape(same));
  }
}

const rows = (kind: BadInput['kind']) => BAD_INPUTS.filter((r) => r.kind === kind).map((r) => [r.id, r] as const);

describe(`bad inputs (${BAD_INPUTS.length} cases)`, () => {
  it('has at least 40 cases, each with its own id, counted as the README says', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_INPUTS.map((r) => r.id)).size).toBe(BAD_INPUTS.length);
    const count = (kind: BadInput['kind']) => BAD_INPUTS.filter((r) => r.kind === kind).length;
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(
      `a table of ${BAD_INPUTS.length} such cases (${count('config')} settings, ${count('savedQuery')} saved queries, ${count('apiAnswer')} API answers)`
    );
  });

  describe('saved queries: the bad query fails alone, naming the field', () => {
    it.each(rows('savedQuery'))('%s', async (_, row) => {
      const ds = h.dataSource();
      const res = await run(ds, [row.query, GOOD]);
      await expectOutcome(ds, row, res, 'A');
      expectGoodQueryKept(res, 'B');
    });
  });

  describe('API answers: refused with what happened, never shown as data', () => {
    it.each(rows('apiAnswer'))('%s', async (_, row) => {
      h.sim.configure(row.faults ?? {});
      const ds = h.dataSource({}, row.client);
      const started = Date.now();
      const res = await run(ds, [row.query, GOOD]);
      // Bounded: a hung or failing upstream is given up on within the client's deadline (plus one try).
      expect(Date.now() - started).toBeLessThan(15_000);
      await expectOutcome(ds, row, res, 'A');
      expectGoodQueryKept(res, 'B');
    });
  });

  describe('settings: checked before any request, in panels and in Save & test', () => {
    it.each(rows('config'))('%s', async (_, row) => {
      const ds = h.dataSource(row.jsonData as Partial<OpenAIDataSourceOptions>);
      const res = await run(ds, [row.query, GOOD]);
      await expectOutcome(ds, row, res, 'A');
      if (!(row.expect instanceof RegExp)) {
        // Read after all: sent as the config page would have saved it.
        const sent = h.sim.stats().log.map((e) => e.organization);
        expect(new Set(sent)).toEqual(new Set([String(row.jsonData?.organizationId).trim()]));
        return;
      }
      if (row.beforeAnyRequest) {
        // Every query of the data source fails at once, and no request is sent.
        expect(errorOf(res, 'B')).toMatch(row.expect);
        expect(h.sim.stats().requests).toBe(0);
        const test = await ds.testDatasource();
        expect(test.status).toBe('error');
        expect(test.message).toMatch(row.expect);
        expect(h.sim.stats().requests).toBe(0);
      } else if (!/organization/i.test(row.expect.source)) {
        expectGoodQueryKept(res, 'B');
      }
    });
  });

  afterAll(() => {
    // The closing figure: good queries that lost their frames beside a bad one.
    expect(lost).toBe(0);
  });
});
