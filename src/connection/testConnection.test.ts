/**
 * Save & test, end to end: the data source's connection test through Grafana's proxy routes to the
 * OpenAI Admin API simulator, for each key kind and failure the simulator can produce.
 */
import http from 'http';
import { AddressInfo } from 'net';

import { Harness, HarnessOptions, startHarness } from '../../tests/harness';
import { API_ERROR_KINDS, ApiError } from '../api/errors';
import { OrgDirectory } from '../org/directory';
import { CHECK_MESSAGES, CHECKLIST_SEPARATOR, ProbeClient, classify, testConnection } from './testConnection';

const NOW = 1763900000;

async function check(options: HarnessOptions, before?: (h: Harness) => void) {
  const h = await startHarness({ now: NOW, ...options });
  try {
    before?.(h);
    return await h.ds.testDatasource();
  } finally {
    await h.close();
  }
}

/** A server that is not the OpenAI API: answers every path with `status` and `body`. */
async function otherServer(status: number, body: string, type = 'text/html') {
  const server = http.createServer((_, res) => res.writeHead(status, { 'Content-Type': type }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('testConnection against the simulator', () => {
  it('succeeds with a full admin key and names what it reached', async () => {
    const res = await check({ jsonData: { organizationId: 'org-sim0001' } });
    expect(res.status).toBe('success');
    expect(res.message).toMatch(
      /^Connected to organization org-sim0001 at http:\/\/127\.0\.0\.1:\d+\. \d+\+? projects\. Usage, costs, names and audit logs are readable\.$/
    );
    expect(res.details?.message.split(CHECKLIST_SEPARATOR)).toEqual([
      '✓ Usage: readable',
      '✓ Costs: readable',
      expect.stringMatching(/^✓ Projects: \d+\+? projects$/),
      '✓ Users: readable',
      '✓ API keys: readable',
      '✓ Audit logs: readable',
    ]);
    expect(res.details?.verboseMessage).toBeUndefined();
  });

  it('warns, naming the missing scopes, for a key restricted to usage', async () => {
    const res = await check({ key: 'sk-admin-sim-usage-only' });
    expect(res.status).toBe('warning');
    expect(res.details?.message).toContain('✓ Usage: readable');
    expect(res.details?.message).toContain(
      '✗ Names (projects/users/keys): missing scope api.management.read — names will show as IDs'
    );
    expect(res.details?.message).toContain('✗ Audit logs: missing scope api.audit_logs.read');
    expect(res.details?.verboseMessage).toMatch(
      /^What the API answered:\nProjects, Users, API keys: .*Missing scopes: api\.management\.read/
    );
    // The checklist is shown once, in the message; the details hold only the answers, each once.
    const details = res.details?.verboseMessage ?? '';
    expect(details).not.toContain('✓');
    const lines = details.split('\n');
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('warns when audit logging is not enabled', async () => {
    const res = await check({ key: 'sk-admin-sim-audit-off' });
    expect(res.status).toBe('warning');
    expect(res.details?.message).toContain(
      '✗ Audit logs: audit logging is not enabled for this organization — enable it in Organization settings › Data controls'
    );
  });

  it('explains a refused key (a project key), in Grafana’s wording too', async () => {
    const res = await check({ key: 'sk-proj-abc123' });
    expect(res.status).toBe('error');
    expect(res.message).toMatch(/^The key was refused\./);
    expect(res.message).toContain('"Authentication to data source failed"');
    expect(res.message).toContain('https://platform.openai.com/settings/organization/admin-keys');
    expect(res.details?.message).toBe('Not readable: usage, costs, projects, users, API keys, audit logs.');
    // Six streams, one answer: one line, not six.
    expect(res.details?.verboseMessage).toMatch(
      /^What the API answered:\nUsage, Costs, Projects, Users, API keys, Audit logs: HTTP 400: Authentication to data source failed/
    );
    expect(res.details?.verboseMessage?.split('\n')).toHaveLength(2);
  });

  it('asks for a key before sending any request when the settings form holds none', async () => {
    const h = await startHarness({ now: NOW, key: '', jsonData: { adminKeyConfigured: false } });
    try {
      h.sim.resetStats();
      const res = await h.ds.testDatasource();
      expect(res.status).toBe('error');
      expect(res.message).toMatch(/^Enter an admin API key \(sk-admin-…\)/);
      expect(h.sim.stats().requests).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('says which organization is wrong', async () => {
    const res = await check({ jsonData: { organizationId: 'org-other' } });
    expect(res.status).toBe('error');
    expect(res.message).toMatch(/No such organization|organization/i);
    expect(res.message).not.toMatch(/^HTTP \d+$/);
  });

  it('fails when usage and costs both answer server errors, without a bare status code', async () => {
    const res = await check({}, (h) =>
      h.sim.configure({
        failNext: [
          { status: 500, count: 20, pathPrefix: '/v1/organization/usage' },
          { status: 500, count: 20, pathPrefix: '/v1/organization/costs' },
        ],
      })
    );
    expect(res.status).toBe('error');
    expect(res.message).toMatch(/^Usage and costs are not readable: .*server error \(HTTP 500\)/);
  }, 30_000);

  it('fails when the endpoint cannot be reached', async () => {
    const res = await check({ url: 'http://127.0.0.1:1' });
    expect(res.status).toBe('error');
    expect(res.message).toMatch(/^Cannot reach http:\/\/127\.0\.0\.1:1/);
  }, 60_000);

  it('fails when the endpoint is not OpenAI: an HTML page, or 404 everywhere', async () => {
    const html = await otherServer(200, '<html>intranet</html>');
    const missing = await otherServer(404, '{"message":"not found"}', 'application/json');
    try {
      const a = await check({ url: html.url });
      expect(a.status).toBe('error');
      expect(a.message).toMatch(/does not look like the OpenAI API/);
      const b = await check({ url: missing.url });
      expect(b.status).toBe('error');
      expect(b.message).toMatch(/does not look like the OpenAI API/);
    } finally {
      html.close();
      missing.close();
    }
  });
});

describe('Save & test messages', () => {
  const JS_TEXT = 'Cannot read properties of undefined (reading "data")';

  it('has a checklist text for every kind, and only for kinds', () => {
    expect(Object.keys(CHECK_MESSAGES).sort()).toEqual([...API_ERROR_KINDS].sort());
  });

  it.each(API_ERROR_KINDS)('%s: says the cause in the plugin’s words, never a JavaScript error’s text', (kind) => {
    const reason = classify(new ApiError(kind, JS_TEXT, { status: 502, path: '/v1/organization/costs' }));
    expect(reason.kind).toBe(kind);
    expect(reason.text).not.toContain(JS_TEXT);
    expect(reason.text).not.toMatch(/undefined|null|\[object/);
  });

  it('reports a failure inside the plugin without its JavaScript text', async () => {
    const broken: ProbeClient = {
      getJson: async () => {
        throw new TypeError(JS_TEXT);
      },
      listAll: async () => {
        throw new TypeError(JS_TEXT);
      },
    };
    const res = await testConnection(broken, new OrgDirectory(broken));
    expect(res.status).toBe('error');
    expect(JSON.stringify(res)).not.toContain(JS_TEXT);
  });
});
