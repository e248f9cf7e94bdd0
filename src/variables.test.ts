import { lastValueFrom } from 'rxjs';
import { DataQueryRequest } from '@grafana/data';

import { choiceOptionsOf, OpenAIVariableSupport, VariableQuery } from './variables';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    replace: (text: string) => (text === '$project' ? 'proj_a,proj_b' : text),
    getVariables: () => [],
  }),
}));

function fakeDatasource() {
  return {
    client: {
      listAll: jest.fn(async (path: string, params?: Record<string, unknown>) => {
        if (path === '/v1/organization/projects') {
          const all = [
            { id: 'proj_a', name: 'Alpha', created_at: 1 },
            { id: 'proj_b', name: 'Beta', created_at: 1 },
            { id: 'proj_old', name: 'Old', created_at: 1, archived_at: 2, status: 'archived' },
          ];
          return params?.include_archived ? all : all.filter((p) => !p.archived_at);
        }
        if (path === '/v1/organization/users') {
          return [{ id: 'user_1', email: 'ada@example.com', name: 'Ada', added_at: 1 }];
        }
        const project = /projects\/([^/]+)\/api_keys/.exec(path)?.[1];
        return [{ id: `key_${project}`, name: `ci-${project}`, redacted_value: 'sk-...abc', created_at: 1 }];
      }),
      getJson: jest.fn(async (path: string) => ({
        object: 'page',
        has_more: false,
        data: [
          {
            start_time: 0,
            end_time: 1,
            results: path.endsWith('/costs')
              ? [{ line_item: 'gpt-4o, input' }, { line_item: null }]
              : [{ model: 'gpt-4o' }, { model: null }],
          },
        ],
      })),
    },
  };
}

async function run(query: Partial<VariableQuery>, ds = fakeDatasource()) {
  const support = new OpenAIVariableSupport(ds as never);
  const request = { targets: [{ refId: 'A', ...query }], scopedVars: {} } as unknown as DataQueryRequest<VariableQuery>;
  const res = await lastValueFrom(support.query(request));
  const frame = res.data[0];
  const text = frame.fields.find((f: { name: string }) => f.name === 'text').values;
  const value = frame.fields.find((f: { name: string }) => f.name === 'value').values;
  return { text, value, ds };
}

describe('OpenAIVariableSupport', () => {
  it('lists projects by name with IDs as values, archived only when asked', async () => {
    expect(await run({ kind: 'projects' })).toMatchObject({ text: ['Alpha', 'Beta'], value: ['proj_a', 'proj_b'] });
    expect((await run({ kind: 'projects', includeArchived: true })).value).toEqual(['proj_a', 'proj_b', 'proj_old']);
  });

  it('defaults to projects', async () => {
    expect((await run({})).value).toEqual(['proj_a', 'proj_b']);
  });

  it('lists users by email', async () => {
    expect(await run({ kind: 'users' })).toMatchObject({ text: ['ada@example.com'], value: ['user_1'] });
  });

  it('lists API keys with their project, limited to the projects of a multi-value variable', async () => {
    const { text, value, ds } = await run({ kind: 'apiKeys', projectIds: ['$project'] });
    expect(value).toEqual(['key_proj_a', 'key_proj_b']);
    expect(text).toEqual(['ci-proj_a (Alpha)', 'ci-proj_b (Beta)']);
    expect(ds.client.listAll).toHaveBeenCalledWith('/v1/organization/projects/proj_a/api_keys', {
      limit: 100,
      owner_project_access: 'any',
    });
  });

  it('lists models seen in usage and line items seen in costs', async () => {
    const models = await run({ kind: 'models', source: 'embeddings', lookbackDays: 7 });
    expect(models.value).toEqual(['gpt-4o']);
    expect(models.ds.client.getJson).toHaveBeenCalledWith(
      '/v1/organization/usage/embeddings',
      expect.objectContaining({ bucket_width: '1d', limit: 7, group_by: ['model'] })
    );
    const items = await run({ kind: 'lineItems' });
    expect(items.value).toEqual(['gpt-4o, input']);
    expect(items.ds.client.getJson).toHaveBeenCalledWith(
      '/v1/organization/costs',
      expect.objectContaining({ limit: 30, group_by: ['line_item'] })
    );
  });

  it('keeps a failing project from hiding the keys of the others', async () => {
    const ds = fakeDatasource();
    const list = ds.client.listAll.getMockImplementation()!;
    ds.client.listAll.mockImplementation(async (path: string, params?: Record<string, unknown>) => {
      if (path.includes('proj_a/api_keys')) {
        throw new Error('400 archived');
      }
      return list(path, params);
    });
    expect((await run({ kind: 'apiKeys' }, ds)).value).toEqual(['key_proj_b']);
  });
});

describe('choiceOptionsOf', () => {
  it('keeps only the options that apply to the kind', () => {
    const replace = (s: string) => s;
    expect(choiceOptionsOf({ refId: 'A', kind: 'users', source: 'images', lookbackDays: 3 }, replace)).toEqual({});
    expect(choiceOptionsOf({ refId: 'A', kind: 'apiKeys', projectIds: ['$__all'] }, () => '$__all')).toEqual({});
  });
});
