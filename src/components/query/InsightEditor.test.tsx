import { act, fireEvent, screen, within } from '@testing-library/react';

import { INSIGHT_KINDS, INSIGHT_KIND_IDS } from '../../insights/kinds';
import { OpenAIQuery, QueryType } from '../../types';
import { setupComboboxEnvironment } from '../comboboxTestSetup';
import { QueryEditor } from '../QueryEditor';
import { selectors } from '../selectors';
import { renderQueryEditor, settle, userEvent } from '../testing';

const mockBudget: { value?: number } = { value: 5000 };

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    getVariables: () => [{ name: 'project', label: 'Project' }],
    replace: (s: string) => s,
  }),
  getDataSourceSrv: () => ({
    getInstanceSettings: (uid: string) =>
      uid === 'openai' ? { uid, jsonData: { monthlyBudget: mockBudget.value } } : undefined,
  }),
}));

setupComboboxEnvironment();
jest.setTimeout(20000);

const PROJECTS = [
  { id: 'proj_checkout', object: 'organization.project', name: 'Checkout', created_at: 1 },
  { id: 'proj_search', object: 'organization.project', name: 'Search', created_at: 1 },
];

function fakeDatasource() {
  return {
    uid: 'openai',
    client: {
      listAll: jest.fn(async (path: string) => (path === '/v1/organization/projects' ? PROJECTS : [])),
      getJson: jest.fn(async () => ({ object: 'page', has_more: false, data: [] })),
    },
  };
}

async function renderEditor(initial: Partial<OpenAIQuery>) {
  const rendered = renderQueryEditor(QueryEditor, { queryType: QueryType.Insight, ...initial }, fakeDatasource());
  await settle();
  return rendered;
}

describe('InsightEditor', () => {
  beforeEach(() => {
    mockBudget.value = 5000;
  });

  it('is offered as a query type', async () => {
    await renderEditor({});
    const labels = within(screen.getByTestId(selectors.query.queryType))
      .getAllByRole('radio')
      .map((r) => r.parentElement?.textContent?.trim());
    expect(labels).toContain('Insights');
  });

  it('starts on spend by model and says how exact it is', async () => {
    await renderEditor({});
    expect(screen.getByTestId(selectors.query.insightKind)).toHaveValue('Spend by model');
    expect(screen.getByTestId(selectors.query.insightExactness)).toHaveTextContent(/^Exact: billed cost line items/);
    expect(screen.getByTestId(selectors.query.splitByTokenType)).toBeInTheDocument();
    expect(screen.queryByTestId(selectors.query.monthlyBudget)).not.toBeInTheDocument();
    expect(screen.queryByTestId(selectors.query.attributeTo)).not.toBeInTheDocument();
  });

  it('offers every insight with its description, and switching explains the new one', async () => {
    const { last, onRunQuery } = await renderEditor({ insight: 'spendByModel', byTokenType: true });
    await userEvent.click(screen.getByTestId(selectors.query.insightKind));
    const options = await screen.findAllByRole('option');
    expect(options).toHaveLength(INSIGHT_KIND_IDS.length);
    for (const id of INSIGHT_KIND_IDS) {
      expect(options.some((o) => o.textContent?.includes(INSIGHT_KINDS[id].description))).toBe(true);
    }
    await userEvent.click(screen.getByRole('option', { name: /Spend by user or API key/ }));
    // The split by token type means nothing to attribution: options start again at "per user".
    expect(last()).toMatchObject({ insight: 'attributedSpend', attributeTo: 'user_id' });
    expect(last().byTokenType).toBeUndefined();
    expect(onRunQuery).toHaveBeenCalled();
    expect(screen.getByTestId(selectors.query.insightExactness)).toHaveTextContent(/^Estimate:/);
  });

  it('attributes to users or API keys', async () => {
    const { last } = await renderEditor({ insight: 'attributedSpend', attributeTo: 'user_id' });
    const group = screen.getByTestId(selectors.query.attributeTo);
    expect(within(group).getByLabelText('User')).toBeChecked();
    await userEvent.click(within(group).getByLabelText('API key'));
    expect(last().attributeTo).toBe('api_key_id');
    await userEvent.click(within(group).getByLabelText('User'));
    expect(last().attributeTo).toBe('user_id');
  });

  it('splits spend by token type and by project with switches of their own', async () => {
    const { last } = await renderEditor({ insight: 'spendByModel' });
    await userEvent.click(screen.getByTestId(selectors.query.splitByTokenType));
    expect(last()).toMatchObject({ byTokenType: true });
    await userEvent.click(screen.getByTestId(selectors.query.byProject));
    expect(last()).toMatchObject({ byTokenType: true, byProject: true });
    await userEvent.click(screen.getByTestId(selectors.query.splitByTokenType));
    expect(last()).toMatchObject({ byTokenType: false, byProject: true });
    expect(last().groupBy).toBeUndefined();
  });

  it('shows the data source budget as the placeholder and commits an override on blur', async () => {
    const { last, onChange } = await renderEditor({ insight: 'budget' });
    const input = screen.getByTestId(selectors.query.monthlyBudget);
    expect(input).toHaveAttribute('placeholder', 'Data source: $5,000.00');
    await userEvent.type(input, '1200');
    expect(onChange).not.toHaveBeenCalled();
    act(() => {
      fireEvent.blur(input);
    });
    expect(last().monthlyBudget).toBe(1200);

    await userEvent.clear(input);
    act(() => {
      fireEvent.blur(input);
    });
    expect(last().monthlyBudget).toBeUndefined();
  });

  it('refuses a budget that is not a positive amount', async () => {
    const { onChange } = await renderEditor({ insight: 'budget' });
    const input = screen.getByTestId(selectors.query.monthlyBudget);
    await userEvent.type(input, '-5');
    act(() => {
      fireEvent.blur(input);
    });
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.getByText('Enter a positive amount in USD.')).toBeInTheDocument();
  });

  it('says where to set a budget when the data source has none', async () => {
    mockBudget.value = undefined;
    await renderEditor({ insight: 'budget' });
    expect(screen.getByTestId(selectors.query.monthlyBudget)).toHaveAttribute(
      'placeholder',
      'Not set in the data source'
    );
  });

  it('filters by project, shown by name', async () => {
    const { last } = await renderEditor({ insight: 'reconciliation' });
    await userEvent.click(screen.getByTestId(selectors.query.filter('projectIds')));
    await userEvent.click(await screen.findByRole('option', { name: /Search/ }));
    expect(last().filters?.projectIds).toEqual(['proj_search']);
    expect(last().insight).toBe('reconciliation');
  });
});
