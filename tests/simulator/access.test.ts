/** @jest-environment node */
/** Keys and permissions, injected faults, control endpoints, CORS and the request log. */
import { startSimulator, type Simulator } from './server';
import { api, DAY, FULL_KEY, NOW } from './testkit';

const USAGE = '/v1/organization/usage/completions';
const usageParams = { start_time: NOW - DAY };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ now: NOW });
});
afterAll(() => sim.close());
afterEach(async () => {
  await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
});

describe('keys', () => {
  test('missing and unknown keys → 401 invalid_api_key, key masked', async () => {
    const missing = await api(sim, USAGE, usageParams, { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null });
    const secret = 'sk-admin-THISISASECRETVALUE1234';
    const unknown = await api(sim, USAGE, usageParams, { key: secret });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_api_key');
    expect(unknown.body.error.message).toMatch(
      /^Incorrect API key provided: sk-ad\*+1234\. You can find your API key at https:\/\/platform\.openai\.com\/account\/api-keys\.$/
    );
    expect(unknown.body.error.message).not.toContain('SECRET');
  });

  test('project keys → 401 asking for an admin key', async () => {
    for (const key of ['sk-proj-abcdefghijklmnop', 'sk-abcdef0123456789']) {
      const res = await api(sim, USAGE, usageParams, { key });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toContain('Missing scopes: api.usage.read');
      expect(res.body.error.message).toContain('admin key');
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: null });
    }
  });

  test('usage-only key: usage and costs yes, management and audit logs 403', async () => {
    const key = 'sk-admin-sim-usage-only';
    expect((await api(sim, USAGE, usageParams, { key })).status).toBe(200);
    expect((await api(sim, '/v1/organization/costs', usageParams, { key })).status).toBe(200);
    const projects = await api(sim, '/v1/organization/projects', {}, { key });
    expect(projects.status).toBe(403);
    expect(projects.body.error.message).toBe(
      'You have insufficient permissions for this operation. Missing scopes: api.management.read.'
    );
    const audit = await api(sim, '/v1/organization/audit_logs', {}, { key });
    expect(audit.status).toBe(403);
    expect(audit.body.error.message).toContain('Missing scopes: api.audit_logs.read.');
  });

  test('audit logging off: by key or by configuration', async () => {
    const off = await api(sim, '/v1/organization/audit_logs', {}, { key: 'sk-admin-sim-audit-off' });
    expect(off.status).toBe(403);
    expect(off.body.error).toEqual({
      message:
        'Audit logging is not enabled for this organization. An owner can enable it in Organization settings › Data controls.',
      type: 'invalid_request_error',
      param: null,
      code: 'audit_logs_not_enabled',
    });
    expect((await api(sim, '/v1/organization/projects', {}, { key: 'sk-admin-sim-audit-off' })).status).toBe(200);
    expect((await api(sim, '/v1/organization/audit_logs')).status).toBe(200);
    sim.configure({ auditLogsEnabled: false });
    expect((await api(sim, '/v1/organization/audit_logs')).body.error.code).toBe('audit_logs_not_enabled');
  });

  test('OpenAI-Organization header: recorded; a wrong one → 403 no_such_organization', async () => {
    sim.resetStats();
    const ok = await api(sim, USAGE, usageParams, { headers: { 'OpenAI-Organization': 'org-sim0001' } });
    expect(ok.status).toBe(200);
    const wrong = await api(sim, USAGE, usageParams, { headers: { 'OpenAI-Organization': 'org-elsewhere' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'no_such_organization', type: 'invalid_request_error' });
    expect(wrong.body.error.message).toContain('org-elsewhere');
    const log = sim.stats().log;
    expect(log.map((e) => [e.organization, e.status])).toEqual([
      ['org-sim0001', 200],
      ['org-elsewhere', 403],
    ]);
    expect(log[0]).toMatchObject({ method: 'GET', path: USAGE, authorization: `Bearer ${FULL_KEY}` });
    expect(log[0].query).toContain('start_time=');
    expect(log[0].end).toBeGreaterThanOrEqual(log[0].start);
  });

  test('unknown paths 404, other methods 405', async () => {
    const nope = await api(sim, '/v1/organization/usage/fine_tuning');
    expect(nope.status).toBe(404);
    expect(nope.body.error.message).toContain('/v1/organization/usage/fine_tuning');
    expect((await api(sim, '/v1/organization/projects', {}, { method: 'POST' })).status).toBe(405);
    expect((await api(sim, '/v1/organization/projects/x', {}, { method: 'DELETE' })).status).toBe(405);
  });
});

describe('faults', () => {
  test('rate limit: 429 with Retry-After and an OpenAI error body', async () => {
    sim.configure({ rateLimit: { capacity: 3, refillPerSec: 0.5 } });
    sim.resetStats();
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof api<any>>> | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await api(sim, '/v1/organization/projects');
      statuses.push(res.status);
      if (res.status === 429) {
        limited = res;
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const retryAfter = limited!.headers.get('retry-after')!;
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(limited!.body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null });
    expect(limited!.body.error.message).toContain(`${retryAfter}s`);
    expect(sim.stats().rateLimited).toBe(2);
  });

  test('failNext: the next N matching requests fail', async () => {
    sim.configure({ failNext: [{ status: 500, count: 2, pathPrefix: '/v1/organization/usage' }] });
    expect((await api(sim, '/v1/organization/projects')).status).toBe(200);
    const first = await api(sim, USAGE, usageParams);
    expect(first.status).toBe(500);
    expect(first.body.error.type).toBe('server_error');
    expect((await api(sim, USAGE, usageParams)).status).toBe(500);
    expect((await api(sim, USAGE, usageParams)).status).toBe(200);
  });

  test('failNext with 4xx statuses answers like OpenAI', async () => {
    sim.configure({
      failNext: [
        { status: 403, count: 1, pathPrefix: '/v1/organization/usage/images' },
        { status: 429, count: 1, pathPrefix: '/v1/organization/invites' },
      ],
    });
    const forbidden = await api(sim, '/v1/organization/usage/images', usageParams);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toContain('api.usage.read');
    const limited = await api(sim, '/v1/organization/invites');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body.error.code).toBe('rate_limit_exceeded');
  });

  test('malformedNext: 200 with a body that is not JSON', async () => {
    sim.configure({ malformedNext: { count: 1 } });
    const res = await fetch(`${sim.url}${USAGE}?start_time=${NOW - DAY}`, {
      headers: { Authorization: `Bearer ${FULL_KEY}` },
    });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
    expect((await api(sim, USAGE, usageParams)).status).toBe(200);
  });

  test('hangNext: no answer; the client gives up; later requests work', async () => {
    sim.configure({ hangNext: { count: 1, pathPrefix: '/v1/organization/costs' } });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(api(sim, '/v1/organization/costs', usageParams, { signal: controller.signal })).rejects.toThrow();
    clearTimeout(timer);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect((await api(sim, '/v1/organization/costs', usageParams)).status).toBe(200);
  });

  test('latency, jitter and peak in-flight requests', async () => {
    sim.configure({ latencyMs: 150, jitterMs: 20 });
    sim.resetStats();
    const started = Date.now();
    const results = await Promise.all([1, 2, 3, 4].map(() => api(sim, '/v1/organization/projects')));
    const elapsed = Date.now() - started;
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(145);
    expect(elapsed).toBeLessThan(1000);
    const stats = sim.stats();
    expect(stats.peakInFlight).toBe(4);
    expect(stats.requests).toBe(4);
    expect(stats.byPath['/v1/organization/projects']).toBe(4);
  });
});

describe('control endpoints, clock and CORS', () => {
  test('POST /__sim/config, GET /__sim/stats, POST /__sim/reset', async () => {
    const cfg = await fetch(`${sim.url}/__sim/config`, {
      method: 'POST',
      body: JSON.stringify({ failNext: [{ status: 502, count: 1 }] }),
    });
    expect(cfg.status).toBe(200);
    expect((await api(sim, '/v1/organization/users')).status).toBe(502);
    const stats = await (await fetch(`${sim.url}/__sim/stats`)).json();
    expect(stats.requests).toBeGreaterThanOrEqual(1);
    expect(stats.log[stats.log.length - 1].status).toBe(502);
    await fetch(`${sim.url}/__sim/config`, {
      method: 'POST',
      body: JSON.stringify({ failNext: [{ status: 500, count: 5 }] }),
    });
    await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
    expect((await api(sim, '/v1/organization/users')).status).toBe(200);
    expect(sim.stats().requests).toBe(1);
    expect((await fetch(`${sim.url}/__sim/config`, { method: 'POST', body: '{nope' })).status).toBe(400);
  });

  test('the clock can be moved and released', async () => {
    expect(sim.now()).toBe(NOW);
    sim.configure({ now: NOW + 3600 });
    expect(sim.now()).toBe(NOW + 3600);
    const res = await api(sim, USAGE, { start_time: NOW });
    expect(res.body.data[res.body.data.length - 1].end_time).toBe(NOW + 3600);
    sim.configure({ now: null });
    expect(Math.abs(sim.now() - Date.now() / 1000)).toBeLessThan(5);
    await fetch(`${sim.url}/__sim/config`, { method: 'POST', body: JSON.stringify({ now: NOW }) });
    expect(sim.now()).toBe(NOW);
  });

  test('CORS preflight and headers', async () => {
    const pre = await fetch(`${sim.url}${USAGE}`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:3000',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(pre.headers.get('access-control-allow-headers')).toContain('OpenAI-Organization');
    const res = await api(sim, USAGE, usageParams);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  test('startup is fast', async () => {
    const started = Date.now();
    const another = await startSimulator({ seed: 3 });
    expect(Date.now() - started).toBeLessThan(200);
    expect(another.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await another.close();
  });
});
