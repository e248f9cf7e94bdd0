import { ProbeClient, testConnection } from './testConnection';

type Handler = (path: string) => unknown;

const PAGE = { object: 'page', data: [], has_more: false };
const LIST = (data: unknown[] = []) => ({ object: 'list', data, has_more: false });

function apiError(kind: string, status: number, openaiMessage?: string, message = `HTTP ${status}`) {
  return Object.assign(new Error(message), { kind, status, openaiMessage });
}

/** A client answering like a healthy organization, except where `override` throws or returns otherwise. */
function client(override: Handler = () => undefined): ProbeClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async getJson<T>(path: string): Promise<T> {
      calls.push(path);
      const custom = override(path);
      if (custom instanceof Error) {
        throw custom;
      }
      if (custom !== undefined) {
        return custom as T;
      }
      if (path.startsWith('/v1/organization/usage') || path === '/v1/organization/costs') {
        return PAGE as T;
      }
      if (path === '/v1/organization/projects') {
        return LIST([{ id: 'proj_1' }, { id: 'proj_2' }]) as T;
      }
      return LIST() as T;
    },
  };
}

describe('testConnection', () => {
  it('succeeds and lists every stream when everything is readable', async () => {
    const c = client();
    const res = await testConnection(c, { organizationId: 'org-sim0001' });
    expect(res.status).toBe('success');
    expect(res.message).toBe(
      'Connected to organization org-sim0001 at https://api.openai.com. 2 projects. Usage, costs, names and audit logs are readable.'
    );
    expect(res.details?.message.split('\n')).toEqual([
      '✓ Usage: readable',
      '✓ Costs: readable',
      '✓ Projects: 2 projects',
      '✓ Users: readable',
      '✓ API keys: readable',
      '✓ Audit logs: readable',
    ]);
    expect(c.calls).toContain('/v1/organization/projects/proj_1/api_keys');
  });

  it('warns, naming the scope, when names are not readable', async () => {
    const scope = 'You have insufficient permissions for this operation. Missing scopes: api.management.read.';
    const res = await testConnection(
      client((p) => (/projects|users/.test(p) ? apiError('scope', 403, scope) : undefined)),
      { apiUrl: 'http://localhost:4010' }
    );
    expect(res.status).toBe('warning');
    expect(res.message).toContain('Connected to http://localhost:4010.');
    expect(res.details?.message).toContain(
      '✗ Names (projects/users/keys): missing scope api.management.read — names will show as IDs'
    );
    expect(res.details?.message).toContain('✓ Usage: readable');
  });

  it('warns when audit logging is not enabled', async () => {
    const res = await testConnection(
      client((p) =>
        p.includes('audit_logs') ? apiError('auditDisabled', 400, 'Audit logging is not enabled') : undefined
      )
    );
    expect(res.status).toBe('warning');
    expect(res.details?.message).toContain(
      '✗ Audit logs: audit logging is not enabled for this organization — enable it in Organization settings › Data controls'
    );
  });

  it('fails when neither usage nor costs is readable', async () => {
    const res = await testConnection(
      client((p) =>
        p.includes('usage') || p.endsWith('costs')
          ? apiError('scope', 403, 'Missing scopes: api.usage.read')
          : undefined
      )
    );
    expect(res.status).toBe('error');
    expect(res.message).toContain('missing scope api.usage.read');
  });

  it('explains a refused key, including Grafana’s wording for it', async () => {
    const refused = apiError('badRequest', 400, undefined, 'Authentication to data source failed');
    const res = await testConnection(client(() => refused));
    expect(res.status).toBe('error');
    expect(res.message).toMatch(/^The key was refused\./);
    expect(res.message).toContain('Grafana reports a refused key as "Authentication to data source failed"');
    expect(res.message).toContain('https://platform.openai.com/settings/organization/admin-keys');
  });

  it('says when the key is not an admin key', async () => {
    const res = await testConnection(client(() => apiError('notAdminKey', 401)));
    expect(res.status).toBe('error');
    expect(res.message).toMatch(/^Not an admin key/);
  });

  it('fails when the endpoint cannot be reached', async () => {
    const res = await testConnection(
      client(() => apiError('network', 0, undefined, 'connect ECONNREFUSED')),
      { apiUrl: 'https://proxy.corp' }
    );
    expect(res).toMatchObject({ status: 'error' });
    expect(res.message).toMatch(/^Cannot reach https:\/\/proxy.corp/);
  });

  it('fails when the endpoint does not answer like OpenAI', async () => {
    const html = await testConnection(
      client(() => '<html>hello</html>'),
      { apiUrl: 'https://intranet.corp' }
    );
    expect(html.status).toBe('error');
    expect(html.message).toMatch(/^https:\/\/intranet.corp does not look like the OpenAI API/);
    const notFound = await testConnection(client(() => apiError('notFound', 404)));
    expect(notFound.status).toBe('error');
    expect(notFound.message).toContain('does not look like the OpenAI API');
  });

  it('treats the proxy’s bad gateway on every path as an unreachable endpoint', async () => {
    const res = await testConnection(client(() => apiError('server', 502)));
    expect(res.status).toBe('error');
    expect(res.message).toMatch(/^Cannot reach https:\/\/api.openai.com/);
  });

  it('never reports a bare status code', async () => {
    const res = await testConnection(
      client((p) => (p.includes('usage') || p.endsWith('costs') ? apiError('server', 500) : undefined))
    );
    expect(res.status).toBe('error');
    expect(res.message).toBe('Usage and costs are not readable: the endpoint had a server error (HTTP 500).');
  });
});
