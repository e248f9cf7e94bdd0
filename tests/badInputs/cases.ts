/**
 * Bad inputs the plugin meets in the field: data source settings, saved queries (hand-edited JSON, provisioning,
 * other tools) and answers from the API or a gateway in front of it. Each row is run through the real DataSource
 * against the simulator by badInputs.test.ts: a bad saved query next to a good one, which must still return its
 * frames; a bad setting fails every query at once and Save & test with what to correct; an odd answer fails its
 * query with what happened, never as wrong data or a long hang.
 */
import type { ClientOptions } from '../../src/api/client';
import type { Faults } from '../simulator/server';

export type BadInputKind = 'config' | 'savedQuery' | 'apiAnswer';

export interface BadInput {
  id: string;
  kind: BadInputKind;
  /** The bad query (saved queries), or the query that meets the bad answer or setting. JSON as a dashboard holds it. */
  query: Record<string, unknown>;
  /** Data source settings (config rows). */
  jsonData?: Record<string, unknown>;
  /** What the simulator answers (API answer rows). */
  faults?: Partial<Faults>;
  /** A setting that fails every query of the data source, and Save & test, before any request is sent. */
  beforeAnyRequest?: boolean;
  /** Tries and timeouts of the client, for hung or failing upstreams. */
  client?: Omit<ClientOptions, 'organizationId'>;
  /**
   * A message the query fails with, naming the field or saying what happened; or, for a value the plugin can read
   * after all (a number as text, one value as a list of one), the well-formed query it must give the same frames as.
   */
  expect: RegExp | { sameAs: Record<string, unknown> };
}

const usage = (extra: Record<string, unknown> = {}) => ({
  queryType: 'timeSeries',
  source: 'completions',
  bucketWidth: '1d',
  groupBy: [],
  metrics: [],
  schemaVersion: 2,
  ...extra,
});
const inventory = (extra: Record<string, unknown> = {}) => ({ queryType: 'inventory', schemaVersion: 2, ...extra });
const insight = (extra: Record<string, unknown> = {}) => ({ queryType: 'insight', schemaVersion: 2, ...extra });
const audit = (extra: Record<string, unknown> = {}) => ({ queryType: 'auditLogs', schemaVersion: 2, ...extra });

const COMPLETIONS = '/v1/organization/usage/completions';
/** Quick retries, so a failing upstream is given up on in about a second. */
const QUICK = { timeoutMs: 300, deadlineMs: 1000, sleep: () => Promise.resolve() };

/** An Organization ID of the wrong form: every query and Save & test fail before any request. */
const orgForm = (id: string, organizationId: unknown, expect: RegExp): BadInput => ({
  id,
  kind: 'config',
  beforeAnyRequest: true,
  query: usage(),
  jsonData: { organizationId },
  expect,
});

const config: BadInput[] = [
  orgForm('org-id-line-break', 'org-sim\n0001', /Organization ID setting contains a line break or a space/),
  orgForm('org-id-space', 'org-sim 0001', /Organization ID setting contains a line break or a space/),
  orgForm('org-id-project-id', 'proj_abc123', /Organization ID setting does not start with "org-"/),
  orgForm('org-id-prefix-only', 'org-', /Organization ID setting has nothing after "org-"/),
  orgForm(
    'org-id-path',
    'org-sim0001/../admin',
    /Organization ID setting has characters other than letters and digits/
  ),
  orgForm('org-id-number', 12345, /Organization ID setting is a number/),
  orgForm('org-id-object', { id: 'org-sim0001' }, /Organization ID setting is not text/),
  {
    id: 'org-id-trailing-line-break',
    kind: 'config',
    query: usage(),
    jsonData: { organizationId: 'org-sim0001\n' },
    expect: { sameAs: usage() },
  },
  {
    id: 'org-id-unknown',
    kind: 'config',
    query: usage(),
    jsonData: { organizationId: 'org-unknown42' },
    expect: /OpenAI does not know this organization for the key.*check the Organization ID setting/,
  },
  {
    id: 'budget-text',
    kind: 'config',
    query: insight({ insight: 'budget' }),
    jsonData: { monthlyBudget: 'lots' },
    expect: /monthly budget must be a positive amount in USD, not "lots"/,
  },
  {
    id: 'budget-negative',
    kind: 'config',
    query: insight({ insight: 'budget' }),
    jsonData: { monthlyBudget: -100 },
    expect: /monthly budget must be a positive amount in USD, not "-100"/,
  },
];

const savedQueries: BadInput[] = [
  // Numbers where text belongs.
  {
    id: 'legend-number',
    kind: 'savedQuery',
    query: usage({ legendFormat: 42 }),
    expect: { sameAs: usage({ legendFormat: '42' }) },
  },
  {
    id: 'legend-object',
    kind: 'savedQuery',
    query: usage({ legendFormat: { text: 'a' } }),
    expect: /^Legend: expected text, not an object/,
  },
  {
    id: 'legend-list',
    kind: 'savedQuery',
    query: usage({ legendFormat: ['{{model}}'] }),
    expect: /^Legend: expected text, not a list/,
  },
  {
    id: 'legend-boolean',
    kind: 'savedQuery',
    query: usage({ legendFormat: true }),
    expect: /^Legend: expected text, not boolean true/,
  },
  {
    id: 'filter-number-values',
    kind: 'savedQuery',
    query: usage({ filters: { projectIds: [123, 'proj_x'] } }),
    expect: { sameAs: usage({ filters: { projectIds: ['123', 'proj_x'] } }) },
  },
  {
    id: 'filter-single-value',
    kind: 'savedQuery',
    query: usage({ filters: { models: 'gpt-4o' } }),
    expect: { sameAs: usage({ filters: { models: ['gpt-4o'] } }) },
  },
  {
    id: 'filter-object-value',
    kind: 'savedQuery',
    query: usage({ filters: { projectIds: { id: 'proj_x' } } }),
    expect: /^Filter Projects: expected a list of text values, but it holds an object/,
  },
  {
    id: 'filter-list-of-objects',
    kind: 'savedQuery',
    query: usage({ filters: { userIds: [{ id: 'user_x' }] } }),
    expect: /^Filter Users: expected a list of text values, but it holds an object/,
  },
  {
    id: 'filters-string',
    kind: 'savedQuery',
    query: usage({ filters: 'project_ids' }),
    expect: /^Filters: expected filter names and values, not "project_ids"/,
  },
  {
    id: 'filters-list',
    kind: 'savedQuery',
    query: usage({ filters: ['projectIds'] }),
    expect: /^Filters: expected filter names and values, not a list/,
  },
  {
    id: 'filter-batch-text',
    kind: 'savedQuery',
    query: usage({ filters: { batch: 'yes' } }),
    expect: /^Filter Batch: expected on or off/,
  },
  {
    id: 'filter-batch-true-text',
    kind: 'savedQuery',
    query: usage({ filters: { batch: 'true' } }),
    expect: { sameAs: usage({ filters: { batch: true } }) },
  },
  {
    id: 'filter-unknown',
    kind: 'savedQuery',
    query: usage({ filters: { nonsense: ['x'] } }),
    expect: /^Filters: "nonsense" is not a filter this plugin knows/,
  },
  {
    id: 'filter-proto',
    kind: 'savedQuery',
    query: usage({ filters: JSON.parse('{"__proto__": ["x"]}') }),
    expect: /^Filters: "__proto__" is not a filter this plugin knows/,
  },
  // Names looked up in the plugin's tables.
  {
    id: 'query-type-constructor',
    kind: 'savedQuery',
    query: usage({ queryType: 'constructor' }),
    expect: /^Query type: "constructor" is not a query type/,
  },
  {
    id: 'query-type-to-string',
    kind: 'savedQuery',
    query: usage({ queryType: 'toString' }),
    expect: /^Query type: "toString" is not a query type/,
  },
  {
    id: 'query-type-proto',
    kind: 'savedQuery',
    query: usage({ queryType: '__proto__' }),
    expect: /^Query type: "__proto__" is not a query type/,
  },
  {
    id: 'query-type-number',
    kind: 'savedQuery',
    query: usage({ queryType: 7 }),
    expect: /^Query type: expected text, not number 7/,
  },
  {
    id: 'source-proto',
    kind: 'savedQuery',
    query: usage({ source: '__proto__' }),
    expect: /^Source: "__proto__" is not a source this plugin reads/,
  },
  {
    id: 'source-constructor',
    kind: 'savedQuery',
    query: usage({ source: 'constructor' }),
    expect: /^Source: "constructor" is not a source/,
  },
  {
    id: 'source-number',
    kind: 'savedQuery',
    query: usage({ source: 3 }),
    expect: /^Source: expected text, not number 3/,
  },
  {
    id: 'inventory-to-string',
    kind: 'savedQuery',
    query: inventory({ inventory: 'toString' }),
    expect: /^List: "toString" is not an inventory/,
  },
  {
    id: 'inventory-has-own-property',
    kind: 'savedQuery',
    query: inventory({ inventory: 'hasOwnProperty' }),
    expect: /^List: "hasOwnProperty" is not an inventory/,
  },
  {
    id: 'insight-value-of',
    kind: 'savedQuery',
    query: insight({ insight: 'valueOf' }),
    expect: /^Insight: "valueOf" is not an insight/,
  },
  {
    id: 'insight-list',
    kind: 'savedQuery',
    query: insight({ insight: ['budget'] }),
    expect: /^Insight: expected text, not a list/,
  },
  {
    id: 'attribute-to-constructor',
    kind: 'savedQuery',
    query: insight({ insight: 'attributedSpend', attributeTo: 'constructor' }),
    expect: /Attributed spend is per user or per API key, not "constructor"/,
  },
  // Lists saved as single values or holding the wrong things.
  {
    id: 'group-by-string',
    kind: 'savedQuery',
    query: usage({ groupBy: 'model' }),
    expect: { sameAs: usage({ groupBy: ['model'] }) },
  },
  {
    id: 'group-by-objects',
    kind: 'savedQuery',
    query: usage({ groupBy: [{ key: 'model' }] }),
    expect: /^Group by: expected a list of text values, but it holds an object/,
  },
  {
    id: 'group-by-constructor',
    kind: 'savedQuery',
    query: usage({ groupBy: ['constructor'] }),
    expect: /Completions cannot be grouped by constructor/,
  },
  {
    id: 'group-by-null',
    kind: 'savedQuery',
    query: usage({ groupBy: null }),
    expect: { sameAs: usage({ groupBy: [] }) },
  },
  {
    id: 'metrics-string',
    kind: 'savedQuery',
    query: usage({ metrics: 'input_tokens' }),
    expect: { sameAs: usage({ metrics: ['input_tokens'] }) },
  },
  {
    id: 'metrics-to-string',
    kind: 'savedQuery',
    query: usage({ metrics: ['toString'] }),
    expect: /Completions has no metric "toString"/,
  },
  {
    id: 'audit-event-types-string',
    kind: 'savedQuery',
    query: audit({ auditEventTypes: 'project.created' }),
    expect: { sameAs: audit({ auditEventTypes: ['project.created'] }) },
  },
  {
    id: 'audit-event-types-object',
    kind: 'savedQuery',
    query: audit({ auditEventTypes: { type: 'x' } }),
    expect: /^Event types: expected a list of text values/,
  },
  {
    id: 'audit-actors-boolean',
    kind: 'savedQuery',
    query: audit({ auditActorEmails: [true] }),
    expect: /^Actors: expected a list of text values, but it holds boolean true/,
  },
  // Other types.
  {
    id: 'bucket-width-number',
    kind: 'savedQuery',
    query: usage({ bucketWidth: 1 }),
    expect: /^Bucket width: expected text, not number 1/,
  },
  {
    id: 'bucket-width-unknown',
    kind: 'savedQuery',
    query: usage({ bucketWidth: '1w' }),
    expect: /^Bucket width: Completions supports only 1m, 1h, 1d buckets, not 1w/,
  },
  {
    id: 'by-project-text',
    kind: 'savedQuery',
    query: insight({ insight: 'spendByModel', byProject: 'yes' }),
    expect: /^By project: expected on or off/,
  },
  {
    id: 'cost-by-model-text',
    kind: 'savedQuery',
    query: usage({ source: 'costs', costByModel: 'true' }),
    expect: { sameAs: usage({ source: 'costs', costByModel: true }) },
  },
  {
    id: 'budget-object',
    kind: 'savedQuery',
    query: insight({ insight: 'budget', monthlyBudget: { usd: 100 } }),
    expect: /^Monthly budget: expected an amount, not an object/,
  },
  {
    id: 'activity-window-number',
    kind: 'savedQuery',
    query: inventory({ inventory: 'users', activityWindow: 30 }),
    expect: /Activity window "30" is not a number of days/,
  },
  {
    id: 'activity-window-object',
    kind: 'savedQuery',
    query: inventory({ inventory: 'users', activityWindow: {} }),
    expect: /^Activity window: expected text, not an object/,
  },
];

const apiAnswers: BadInput[] = [
  {
    id: 'minute-buckets-for-daily-query',
    kind: 'apiAnswer',
    query: usage(),
    faults: { oddBucketsNext: { count: 1, pathPrefix: COMPLETIONS, shape: 'minuteBuckets' } },
    expect: /usage of completions does not fit the request: a bucket .* is not one 1-day bucket/,
  },
  {
    id: 'bucket-past-end',
    kind: 'apiAnswer',
    query: usage(),
    faults: { oddBucketsNext: { count: 1, pathPrefix: COMPLETIONS, shape: 'pastEnd' } },
    expect: /usage of completions does not fit the request: a bucket .* lies outside the requested/,
  },
  {
    id: 'bucket-before-start',
    kind: 'apiAnswer',
    query: usage(),
    faults: { oddBucketsNext: { count: 1, pathPrefix: COMPLETIONS, shape: 'beforeStart' } },
    expect: /usage of completions does not fit the request: a bucket .* lies outside the requested/,
  },
  {
    id: 'bucket-too-wide-daily',
    kind: 'apiAnswer',
    query: usage(),
    faults: { oddBucketsNext: { count: 1, pathPrefix: COMPLETIONS, shape: 'wideBucket' } },
    expect: /is not one 1-day bucket/,
  },
  {
    id: 'bucket-too-wide-hourly',
    kind: 'apiAnswer',
    query: usage({ bucketWidth: '1h' }),
    faults: { oddBucketsNext: { count: 1, pathPrefix: COMPLETIONS, shape: 'wideBucket' } },
    expect: /is not one 1-hour bucket/,
  },
  {
    id: 'ok-status-with-error-usage',
    kind: 'apiAnswer',
    query: usage(),
    faults: {
      okWithErrorNext: { count: 1, pathPrefix: COMPLETIONS, message: 'Gateway quota exhausted for this tenant.' },
    },
    expect:
      /OpenAI answered usage of completions with an error instead of data: Gateway quota exhausted for this tenant\./,
  },
  {
    id: 'ok-status-with-error-list',
    kind: 'apiAnswer',
    query: inventory({ inventory: 'projects' }),
    faults: {
      okWithErrorNext: { count: 1, pathPrefix: '/v1/organization/projects', message: 'Upstream refused the listing.' },
    },
    expect: /OpenAI answered projects with an error instead of data: Upstream refused the listing\./,
  },
  {
    id: 'ok-status-with-organization-error',
    kind: 'apiAnswer',
    query: usage(),
    faults: {
      okWithErrorNext: {
        count: 1,
        pathPrefix: COMPLETIONS,
        message: 'No such organization: org-x.',
        code: 'no_such_organization',
      },
    },
    expect: /OpenAI does not know this organization for the key \(No such organization: org-x\.\)/,
  },
  {
    id: 'cursor-cycle-usage',
    kind: 'apiAnswer',
    query: usage(),
    faults: { cursorCycle: { pathPrefix: COMPLETIONS } },
    expect: /Completions: the API's page cursors lead back to a page already read/,
  },
  {
    id: 'cursor-cycle-list',
    kind: 'apiAnswer',
    query: inventory({ inventory: 'projects' }),
    faults: { cursorCycle: { pathPrefix: '/v1/organization/projects' } },
    expect: /The list projects: the API's page cursors lead back to a page already read/,
  },
  {
    id: 'cursor-cycle-audit-logs',
    kind: 'apiAnswer',
    query: audit(),
    faults: { cursorCycle: { pathPrefix: '/v1/organization/audit_logs' } },
    expect: /The list audit logs: the API's page cursors lead back to a page already read/,
  },
  {
    id: 'hung-upstream',
    kind: 'apiAnswer',
    query: usage(),
    faults: { hangNext: { count: 20, pathPrefix: COMPLETIONS } },
    client: QUICK,
    expect: /The API did not answer for usage of completions: \d tries over \d+ s went unanswered/,
  },
  {
    id: 'server-errors-throughout',
    kind: 'apiAnswer',
    query: usage(),
    faults: { failNext: [{ status: 500, count: 20, pathPrefix: COMPLETIONS }] },
    client: QUICK,
    expect: /The API had a server error \(HTTP 500\) for usage of completions/,
  },
  {
    id: 'not-json',
    kind: 'apiAnswer',
    query: usage(),
    faults: { malformedNext: { count: 1, pathPrefix: COMPLETIONS } },
    expect: /The answer for \S*usage\/completions is not JSON/,
  },
  {
    id: 'audit-logging-off',
    kind: 'apiAnswer',
    query: audit(),
    faults: { auditLogsEnabled: false },
    expect: /Audit logging is not enabled for this organization/,
  },
];

export const BAD_INPUTS: BadInput[] = [...config, ...savedQueries, ...apiAnswers];
