import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';

import { BUCKET_SECONDS, BucketWidth, SOURCE_IDS } from '../api/catalog';
import { DEFAULT_INSIGHT_KIND, INSIGHT_KINDS } from '../insights/kinds';
import { DEFAULT_QUERY, OpenAIQuery, QueryType } from '../types';
import { setupComboboxEnvironment } from './comboboxTestSetup';
import { QueryEditor } from './QueryEditor';
import { selectors } from './selectors';
import { renderQueryEditor, settle, userEvent } from './testing';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    getVariables: () => [{ name: 'project', label: 'Project' }],
    replace: (s: string) => s,
  }),
}));

setupComboboxEnvironment();
// Switching sources re-renders the whole editor several times; slow on a busy machine.
jest.setTimeout(60_000);

const PROJECTS = [
  { id: 'proj_checkout', object: 'organization.project', name: 'Checkout', created_at: 1 },
  { id: 'proj_search', object: 'organization.project', name: 'Search', created_at: 1 },
];

function fakeDatasource() {
  return {
    client: {
      listAll: jest.fn(async (path: string) => {
        if (path === '/v1/organization/projects') {
          return PROJECTS;
        }
        if (path === '/v1/organization/users') {
          return [{ id: 'user_ada', object: 'organization.user', email: 'ada@example.com', added_at: 1 }];
        }
        if (path.endsWith('/api_keys')) {
          return [{ id: 'key_1', object: 'organization.project.api_key', name: 'ci', created_at: 1 }];
        }
        return [];
      }),
      getJson: jest.fn(async (_path: string, params?: Record<string, unknown>) => {
        // Buckets of the requested width over the requested window, as the API's; the usage sits in the first.
        const width = BUCKET_SECONDS[params?.bucket_width as BucketWidth];
        const start = Number(params?.start_time);
        const end = Number(params?.end_time);
        const data = [];
        for (let s = start; s < end; s = Math.min((Math.floor(s / width) + 1) * width, end)) {
          data.push({
            object: 'bucket',
            start_time: s,
            end_time: Math.min((Math.floor(s / width) + 1) * width, end),
            results: [] as object[],
          });
        }
        if ((params?.group_by as string[] | undefined)?.includes('model')) {
          data[0].results = [
            { object: 'organization.usage.completions.result', model: 'gpt-4o-mini', input_tokens: 1 },
            { object: 'organization.usage.completions.result', model: 'gpt-4o', input_tokens: 1 },
            { object: 'organization.usage.completions.result', model: 'gpt-4o', input_tokens: 1 },
          ];
        }
        return { object: 'page', has_more: false, data };
      }),
    },
  };
}

type Ds = ReturnType<typeof fakeDatasource>;

async function renderEditor(initial: Partial<OpenAIQuery>, ds: Ds = fakeDatasource()) {
  const rendered = renderQueryEditor(QueryEditor, initial, ds);
  // Let the pickers' option lists load.
  await settle();
  return { ...rendered, ds };
}

async function openOptions(testId: string): Promise<string[]> {
  await userEvent.click(screen.getByTestId(testId));
  const options = await screen.findAllByRole('option');
  return options.map((o) => o.textContent ?? '');
}

function radioLabels(testId: string): string[] {
  return within(screen.getByTestId(testId))
    .getAllByRole('radio')
    .map((r) => r.parentElement?.textContent?.trim() ?? '');
}

describe('QueryEditor', () => {
  it('shows the default query for a new panel: daily cost by project', async () => {
    await renderEditor({});
    expect(screen.getByTestId(selectors.query.source)).toHaveValue('Costs');
    expect(screen.getByTestId(selectors.query.groupBy).closest('span')).toHaveTextContent('Project');
    expect(screen.getByTestId(selectors.query.metrics)).toHaveAttribute('placeholder', 'Defaults: Cost');
    expect(radioLabels(selectors.query.bucketWidth)).toEqual(['Auto', '1d']);
    expect(screen.getByTestId(selectors.query.costByModel)).toBeInTheDocument();
    expect(screen.queryByTestId(selectors.query.validation)).not.toBeInTheDocument();
    // More than one query type is registered, so the query type picker shows.
    expect(screen.getByTestId(selectors.query.queryType)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId(selectors.query.filter('projectIds'))).toBeInTheDocument());
  });

  it('offers every usage endpoint and costs as sources', async () => {
    await renderEditor(DEFAULT_QUERY);
    const options = await openOptions(selectors.query.source);
    expect(options).toHaveLength(SOURCE_IDS.length);
    expect(options[0]).toContain('Completions');
    expect(options.join('|')).toContain('Billed spend in USD');
  });

  it('offers only what the source supports', async () => {
    await renderEditor({ ...DEFAULT_QUERY, groupBy: [] });
    expect(await openOptions(selectors.query.groupBy)).toEqual([
      expect.stringContaining('Project'),
      expect.stringContaining('Line item'),
      expect.stringContaining('API key'),
    ]);
    expect(screen.queryByTestId(selectors.query.filter('models'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(selectors.query.filter('userIds'))).not.toBeInTheDocument();
  });

  it('offers a source’s widths, metrics and filters after switching to it', async () => {
    const { last, onRunQuery } = await renderEditor({ ...DEFAULT_QUERY });
    await userEvent.click(screen.getByTestId(selectors.query.source));
    await userEvent.click(await screen.findByRole('option', { name: /Completions/ }));
    expect(last().source).toBe('completions');
    expect(onRunQuery).toHaveBeenCalled();
    expect(radioLabels(selectors.query.bucketWidth)).toEqual(['Auto', '1m', '1h', '1d']);
    expect(screen.getByTestId(selectors.query.metrics)).toHaveAttribute(
      'placeholder',
      'Defaults: Input tokens, Output tokens, Cached input tokens'
    );
    expect(screen.getByTestId(selectors.query.filter('batch'))).toBeInTheDocument();
    expect(screen.getByTestId(selectors.query.filter('models'))).toBeInTheDocument();
    expect(screen.queryByTestId(selectors.query.costByModel)).not.toBeInTheDocument();
    const metrics = await openOptions(selectors.query.metrics);
    expect(metrics).toContainEqual(expect.stringContaining('Cache-write input tokens'));
  });

  it('drops the choices the new source does not support, and says so', async () => {
    const { last } = await renderEditor({
      queryType: QueryType.TimeSeries,
      source: 'completions',
      metrics: ['input_tokens'],
      bucketWidth: '1h',
      groupBy: ['model', 'project_id'],
      filters: { models: ['gpt-4o'], projectIds: ['proj_checkout'], batch: true },
    });
    await userEvent.click(screen.getByTestId(selectors.query.source));
    await userEvent.click(await screen.findByRole('option', { name: /Costs/ }));
    expect(last()).toMatchObject({
      source: 'costs',
      metrics: [],
      bucketWidth: 'auto',
      groupBy: ['project_id'],
      filters: { projectIds: ['proj_checkout'] },
    });
    const notice = screen.getByTestId(selectors.query.sourceChangeNotice);
    expect(notice).toHaveTextContent(
      'Costs does not support metric Input tokens, group by Model, filter Models, filter Batch and bucket width 1 hour, so they were removed.'
    );
    expect(screen.queryByTestId(selectors.query.validation)).not.toBeInTheDocument();
  });

  it('shows a validation message for an invalid combination', async () => {
    await renderEditor({
      queryType: QueryType.TimeSeries,
      source: 'costs',
      groupBy: ['model'],
      bucketWidth: '1h',
      metrics: ['input_tokens'],
      filters: { userIds: ['user_ada'] },
    });
    const message = screen.getByTestId(selectors.query.validation);
    expect(message).toHaveTextContent('Costs cannot be grouped by Model; it accepts Project, Line item, API key.');
    expect(message).toHaveTextContent('Costs supports only 1d buckets, not 1h.');
    expect(message).toHaveTextContent('Costs has no metric "input_tokens".');
    expect(message).toHaveTextContent('Costs cannot be filtered by Users.');
  });

  it('shows projects by name, keeps IDs as values, and offers dashboard variables', async () => {
    const { last } = await renderEditor({ ...DEFAULT_QUERY, filters: { projectIds: ['proj_checkout'] } });
    const field = screen.getByTestId(selectors.query.filter('projectIds'));
    await waitFor(() => expect(field.closest('span')).toHaveTextContent('Checkout'));
    expect(field.closest('span')).not.toHaveTextContent('proj_checkout');
    const options = await openOptions(selectors.query.filter('projectIds'));
    expect(options).toEqual(
      expect.arrayContaining([expect.stringContaining('Search'), expect.stringContaining('$project')])
    );
    await userEvent.click(screen.getByRole('option', { name: /Search/ }));
    expect(last().filters).toEqual({ projectIds: ['proj_checkout', 'proj_search'] });
  });

  it('offers the models seen in usage, most used first', async () => {
    const { ds } = await renderEditor({ queryType: QueryType.TimeSeries, source: 'completions' });
    const options = await openOptions(selectors.query.filter('models'));
    expect(options.slice(0, 2)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    const call = ds.client.getJson.mock.calls.find(([, p]) => (p?.group_by as string[])?.includes('model'));
    expect(call?.[0]).toBe('/v1/organization/usage/completions');
    expect(call?.[1]).toMatchObject({ bucket_width: '1d', group_by: ['model'] });
  });

  it('sets the batch filter with a tri-state choice', async () => {
    const { last } = await renderEditor({ queryType: QueryType.TimeSeries, source: 'completions' });
    const group = screen.getByTestId(selectors.query.filter('batch'));
    await userEvent.click(within(group).getByLabelText('Batch only'));
    expect(last().filters).toEqual({ batch: true });
    await userEvent.click(within(group).getByLabelText('Standard only'));
    expect(last().filters).toEqual({ batch: false });
    await userEvent.click(within(group).getByLabelText('Any'));
    expect(last().filters).toEqual({});
  });

  it('explains when names cannot be loaded', async () => {
    const ds = fakeDatasource();
    ds.client.listAll.mockRejectedValue(Object.assign(new Error('403'), { kind: 'scope' }));
    await renderEditor({ ...DEFAULT_QUERY }, ds);
    const errors = await screen.findAllByText(/lacks the Management API read scope/);
    expect(errors.map((e) => e.textContent)).toEqual([
      'Projects could not be listed: the admin key lacks the Management API read scope (api.management.read). Type IDs instead.',
      'API keys could not be listed: the admin key lacks the Management API read scope (api.management.read). Type IDs instead.',
    ]);
  });

  it('commits the legend on blur only', async () => {
    const { onChange, onRunQuery, last } = await renderEditor({ ...DEFAULT_QUERY });
    const input = screen.getByTestId(selectors.query.legendFormat);
    expect(input).toHaveAttribute('placeholder', '{{model}} · {{project}}');
    await userEvent.type(input, '{{{{project}}');
    expect(onChange).not.toHaveBeenCalled();
    act(() => {
      fireEvent.blur(input);
    });
    expect(last().legendFormat).toBe('{{project}}');
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('commits Top on blur as a number, and empty as unset', async () => {
    const { onRunQuery, last } = await renderEditor({ ...DEFAULT_QUERY });
    const input = screen.getByTestId(selectors.query.topN);
    await userEvent.type(input, '10');
    expect(onRunQuery).not.toHaveBeenCalled();
    act(() => {
      fireEvent.blur(input);
    });
    expect(last().topN).toBe(10);
    await userEvent.clear(input);
    act(() => {
      fireEvent.blur(input);
    });
    expect(last().topN).toBeUndefined();
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('runs the query when a discrete choice changes', async () => {
    const { onRunQuery, last } = await renderEditor({ ...DEFAULT_QUERY });
    await userEvent.click(screen.getByTestId(selectors.query.costByModel));
    expect(last().costByModel).toBe(true);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await userEvent.click(screen.getByTestId(selectors.query.groupBy));
    await userEvent.click(await screen.findByRole('option', { name: /Line item/ }));
    expect(last().groupBy).toEqual(['project_id', 'line_item']);
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('saves the insight it shows when the query type changes to Insights', async () => {
    const { last, onRunQuery } = await renderEditor({ ...DEFAULT_QUERY });
    await userEvent.click(within(screen.getByTestId(selectors.query.queryType)).getByLabelText(/Insights/));
    expect(last()).toMatchObject({ queryType: QueryType.Insight, insight: DEFAULT_INSIGHT_KIND });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await settle();
    expect(screen.getByTestId(selectors.query.insightKind)).toHaveValue(INSIGHT_KINDS[DEFAULT_INSIGHT_KIND].label);
  });

  it('labels the query type selector', async () => {
    await renderEditor({ ...DEFAULT_QUERY });
    expect(screen.getByText('Query type')).toBeInTheDocument();
    expect(screen.getByRole('radiogroup', { name: 'Query type' })).toBe(screen.getByTestId(selectors.query.queryType));
  });
});
