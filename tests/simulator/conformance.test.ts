/** @jest-environment node */
/**
 * Conformance: every simulator response validates against the response schemas of OpenAI's published spec,
 * and the official example payloads validate against the same validators.
 */
import fs from 'node:fs';

import type { ValidateFunction } from 'ajv';

import { ENDPOINTS, FILTERS, SOURCE_IDS, type SourceId } from '../../src/api/catalog';
import { startSimulator, type Simulator } from './server';
import { api, DAY, fixturePath, loadSchemas, NOW, TODAY } from './testkit';
import { BUCKET_ENDPOINTS } from './usage';

const RESULT_SCHEMAS: Record<SourceId, string> = {
  completions: 'UsageCompletionsResult',
  embeddings: 'UsageEmbeddingsResult',
  moderations: 'UsageModerationsResult',
  images: 'UsageImagesResult',
  audio_speeches: 'UsageAudioSpeechesResult',
  audio_transcriptions: 'UsageAudioTranscriptionsResult',
  vector_stores: 'UsageVectorStoresResult',
  code_interpreter_sessions: 'UsageCodeInterpreterSessionsResult',
  file_search_calls: 'UsageFileSearchCallsResult',
  web_search_calls: 'UsageWebSearchCallsResult',
  costs: 'CostsResult',
};

let sim: Simulator;
let schema: (name: string) => ValidateFunction;

beforeAll(async () => {
  schema = loadSchemas();
  sim = await startSimulator({ now: NOW });
});
afterAll(() => sim.close());

function expectValid(name: string, value: unknown): void {
  const validate = schema(name);
  const ok = validate(value);
  if (!ok) {
    throw new Error(`${name}: ${JSON.stringify(validate.errors?.slice(0, 3), null, 1)}`);
  }
}

describe('validator sanity: official examples', () => {
  const pages: Array<[string, string]> = [
    ['usage-completions.json', 'UsageResponse'],
    ['usage-embeddings.json', 'UsageResponse'],
    ['usage-moderations.json', 'UsageResponse'],
    ['usage-images.json', 'UsageResponse'],
    ['usage-audio-speeches.json', 'UsageResponse'],
    ['usage-audio-transcriptions.json', 'UsageResponse'],
    ['usage-vector-stores.json', 'UsageResponse'],
    ['usage-code-interpreter-sessions.json', 'UsageResponse'],
    ['usage-file-search-calls.json', 'UsageResponse'],
    ['usage-web-search-calls.json', 'UsageResponse'],
    ['costs.json', 'UsageResponse'],
    ['projects.json', 'ProjectListResponse'],
    ['users.json', 'UserListResponse'],
    ['project-api-keys.json', 'ProjectApiKeyListResponse'],
    ['admin-api-keys.json', 'ApiKeyList'],
    ['audit-logs.json', 'ListAuditLogsResponse'],
    ['project-users.json', 'ProjectUserListResponse'],
    ['project-service-accounts.json', 'ProjectServiceAccountListResponse'],
  ];
  test.each(pages)('%s is valid %s', (file, name) => {
    expectValid(name, JSON.parse(fs.readFileSync(fixturePath('examples', file), 'utf8')));
  });

  const objects: Array<[string, string]> = [
    ['usage-completions-result.json', 'UsageCompletionsResult'],
    ['usage-embeddings-result.json', 'UsageEmbeddingsResult'],
    ['usage-moderations-result.json', 'UsageModerationsResult'],
    ['usage-images-result.json', 'UsageImagesResult'],
    ['usage-audio-speeches-result.json', 'UsageAudioSpeechesResult'],
    ['usage-audio-transcriptions-result.json', 'UsageAudioTranscriptionsResult'],
    ['usage-vector-stores-result.json', 'UsageVectorStoresResult'],
    ['usage-code-interpreter-sessions-result.json', 'UsageCodeInterpreterSessionsResult'],
    ['usage-file-search-calls-result.json', 'UsageFileSearchCallsResult'],
    ['usage-web-search-calls-result.json', 'UsageWebSearchCallsResult'],
    ['costs-result.json', 'CostsResult'],
    ['project.json', 'Project'],
    ['user.json', 'User'],
    ['project-api-key.json', 'ProjectApiKey'],
    ['invite.json', 'Invite'],
    ['project-user.json', 'ProjectUser'],
    ['project-service-account.json', 'ProjectServiceAccount'],
    ['audit-log.json', 'AuditLog'],
  ];
  test.each(objects)('objects/%s is valid %s', (file, name) => {
    expectValid(name, JSON.parse(fs.readFileSync(fixturePath('examples', 'objects', file), 'utf8')));
  });

  test('the validator rejects what the spec rejects', () => {
    // The official invites example omits the required `projects` (a known slip in the spec).
    const invites = JSON.parse(fs.readFileSync(fixturePath('examples', 'invites.json'), 'utf8'));
    const validate = schema('InviteListResponse');
    expect(validate(invites)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('projects');
    // The admin key object example predates the required `expires_at` (another slip in the spec).
    const adminKey = JSON.parse(fs.readFileSync(fixturePath('examples', 'objects', 'admin-api-key.json'), 'utf8'));
    expect(schema('AdminApiKey')(adminKey)).toBe(false);
    expect(schema('AdminApiKey')({ ...adminKey, expires_at: null })).toBe(true);
    // A result with the wrong `object` matches none of the oneOf branches.
    expect(
      schema('UsageResponse')({
        object: 'page',
        data: [{ object: 'bucket', start_time: 1, end_time: 2, results: [{ object: 'x' }] }],
        has_more: false,
        next_page: null,
      })
    ).toBe(false);
    expect(schema('ErrorResponse')({ error: { message: 'm', type: 't' } })).toBe(false);
  });

  test('the verbatim audit-log example is not JSON upstream', () => {
    expect(() => JSON.parse(fs.readFileSync(fixturePath('examples', 'audit-logs.verbatim.txt'), 'utf8'))).toThrow();
  });
});

describe('simulator and plugin catalog agree', () => {
  test.each(SOURCE_IDS)('%s', (id) => {
    const sim = BUCKET_ENDPOINTS[id];
    const cat = ENDPOINTS[id];
    expect(sim.path).toBe(cat.path);
    expect(sim.resultObject).toBe(cat.resultObject);
    expect([...sim.groupBy].sort()).toEqual([...cat.groupBy].sort());
    expect(sim.widths.sort()).toEqual([...cat.bucketWidths].sort());
    expect(sim.limits).toEqual(cat.limits);
    expect(Object.keys(sim.filters).sort()).toEqual(cat.filters.map((f) => FILTERS[f].param).sort());
  });
});

describe('usage and costs responses', () => {
  const start = TODAY - 6 * DAY;
  const cases: Array<[SourceId, string[]]> = [];
  for (const id of SOURCE_IDS) {
    const spec = BUCKET_ENDPOINTS[id];
    cases.push([id, []]);
    for (const g of spec.groupBy) {
      cases.push([id, [g]]);
    }
    if (spec.groupBy.length > 1) {
      cases.push([id, spec.groupBy]);
    }
  }

  test.each(cases)('%s group_by=%j', async (id, groupBy) => {
    const spec = BUCKET_ENDPOINTS[id];
    const res = await api(sim, spec.path, { start_time: start, bucket_width: '1d', group_by: groupBy });
    expect(res.status).toBe(200);
    expectValid('UsageResponse', res.body);
    expect(res.body.data).toHaveLength(7);
    const results = res.body.data.flatMap((b: { results: unknown[] }) => b.results) as Array<Record<string, unknown>>;
    expect(results.length).toBeGreaterThan(0);
    const dims = id === 'costs' ? ['line_item', 'project_id', 'api_key_id'] : spec.groupBy;
    for (const r of results) {
      expectValid(RESULT_SCHEMAS[id], r);
      expect(r.object).toBe(spec.resultObject);
      for (const d of dims) {
        // Every dimension is present; only grouped ones carry values.
        expect(d in r).toBe(true);
        if (!groupBy.includes(d)) {
          expect(r[d]).toBeNull();
        }
      }
    }
    if (groupBy.length === 0) {
      for (const b of res.body.data) {
        expect(b.results.length).toBeLessThanOrEqual(1);
      }
    }
    if (groupBy.length === 1 && groupBy[0] !== 'user_id' && groupBy[0] !== 'api_key_id') {
      expect(results.some((r) => r[groupBy[0]] !== null)).toBe(true);
    }
  });

  test('1m and 1h pages validate too', async () => {
    for (const width of ['1m', '1h']) {
      const res = await api(sim, '/v1/organization/usage/completions', {
        start_time: TODAY - DAY + 10 * 3600,
        bucket_width: width,
        group_by: ['model', 'batch', 'service_tier'],
      });
      expectValid('UsageResponse', res.body);
      expect(res.body.has_more).toBe(true);
    }
  });
});

describe('list responses', () => {
  test('projects, users, admin keys, invites', async () => {
    const checks: Array<[string, string, Record<string, string | number>]> = [
      ['/v1/organization/projects', 'ProjectListResponse', { include_archived: 'true' }],
      ['/v1/organization/users', 'UserListResponse', { limit: 100 }],
      ['/v1/organization/admin_api_keys', 'ApiKeyList', {}],
      ['/v1/organization/invites', 'InviteListResponse', {}],
      ['/v1/organization/audit_logs', 'ListAuditLogsResponse', { limit: 100 }],
    ];
    for (const [p, name, params] of checks) {
      const res = await api(sim, p, params);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeGreaterThan(0);
      expectValid(name, res.body);
    }
  });

  test('every audit log event validates', async () => {
    let after: string | undefined;
    let seen = 0;
    do {
      const res = await api(sim, '/v1/organization/audit_logs', { limit: 100, after });
      expectValid('ListAuditLogsResponse', res.body);
      seen += res.body.data.length;
      after = res.body.has_more ? res.body.last_id : undefined;
    } while (after);
    expect(seen).toBe(sim.org.auditLogs.length);
  });

  test('per-project lists and the project object', async () => {
    for (const p of sim.org.projects) {
      const one = await api(sim, `/v1/organization/projects/${p.id}`);
      expectValid('Project', one.body);
      const keys = await api(sim, `/v1/organization/projects/${p.id}/api_keys`, { owner_project_access: 'any' });
      expectValid('ProjectApiKeyListResponse', keys.body);
      if (p.status === 'archived') {
        continue;
      }
      const users = await api(sim, `/v1/organization/projects/${p.id}/users`);
      expectValid('ProjectUserListResponse', users.body);
      expect(users.body.data.length).toBeGreaterThan(0);
      const accounts = await api(sim, `/v1/organization/projects/${p.id}/service_accounts`);
      expectValid('ProjectServiceAccountListResponse', accounts.body);
    }
  });
});

describe('error bodies', () => {
  const path = '/v1/organization/usage/completions';
  test.each([
    ['missing start_time', () => api(sim, path, {}), 400],
    ['bad limit', () => api(sim, path, { start_time: NOW - DAY, limit: 999 }), 400],
    ['bad group_by', () => api(sim, path, { start_time: NOW - DAY, group_by: ['size'] }), 400],
    ['missing key', () => api(sim, path, { start_time: NOW - DAY }, { key: null }), 401],
    ['unknown admin key', () => api(sim, path, { start_time: NOW - DAY }, { key: 'sk-admin-nope-123456' }), 401],
    ['project key', () => api(sim, path, { start_time: NOW - DAY }, { key: 'sk-proj-abcdefabcdef' }), 401],
    ['usage-only key', () => api(sim, '/v1/organization/projects', {}, { key: 'sk-admin-sim-usage-only' }), 403],
    ['audit off', () => api(sim, '/v1/organization/audit_logs', {}, { key: 'sk-admin-sim-audit-off' }), 403],
    [
      'wrong organization',
      () => api(sim, path, { start_time: NOW - DAY }, { headers: { 'OpenAI-Organization': 'org-other' } }),
      403,
    ],
    ['unknown path', () => api(sim, '/v1/organization/nope'), 404],
    ['wrong method', () => api(sim, '/v1/organization/projects', {}, { method: 'POST' }), 405],
  ] as const)('%s', async (_name, call, status) => {
    const res = await call();
    expect(res.status).toBe(status);
    expectValid('ErrorResponse', res.body);
  });

  test('429 and 5xx', async () => {
    sim.configure({ failNext: [{ status: 503, count: 1 }] });
    const failed = await api(sim, '/v1/organization/projects');
    expect(failed.status).toBe(503);
    expectValid('ErrorResponse', failed.body);
    sim.configure({ rateLimit: { capacity: 1, refillPerSec: 0.01 } });
    await api(sim, '/v1/organization/projects');
    const limited = await api(sim, '/v1/organization/projects');
    expect(limited.status).toBe(429);
    expectValid('ErrorResponse', limited.body);
    sim.configure({ rateLimit: null });
  });
});
