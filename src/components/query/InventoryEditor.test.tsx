import { screen, within } from '@testing-library/react';

import { OpenAIQuery, QueryType } from '../../types';
import { setupComboboxEnvironment } from '../comboboxTestSetup';
import { QueryEditor } from '../QueryEditor';
import { selectors } from '../selectors';
import { renderQueryEditor, settle, userEvent } from '../testing';
import { InventoryEditor } from './InventoryEditor';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [], replace: (s: string) => s }),
}));

setupComboboxEnvironment();
jest.setTimeout(20000);

const datasource = { client: { listAll: jest.fn(async () => []), getJson: jest.fn() } };

function renderEditor(initial: Partial<OpenAIQuery>, Editor: typeof InventoryEditor = InventoryEditor) {
  return renderQueryEditor(Editor, { queryType: QueryType.Inventory, ...initial }, datasource);
}

function radios(testId: string) {
  return within(screen.getByTestId(testId)).getAllByRole('radio') as HTMLInputElement[];
}

describe('InventoryEditor', () => {
  it('lists users over the last 30 days by default', () => {
    renderEditor({});
    expect(screen.getByTestId(selectors.query.inventoryKind)).toHaveValue('Users');
    const windows = radios(selectors.query.activityWindow);
    expect(windows.map((r) => r.parentElement?.textContent?.trim())).toEqual(['7 days', '30 days', '90 days']);
    expect(windows.find((r) => r.checked)?.parentElement).toHaveTextContent('30 days');
  });

  it('offers every inventory, each with a description', async () => {
    renderEditor({});
    await userEvent.click(screen.getByTestId(selectors.query.inventoryKind));
    const options = (await screen.findAllByRole('option')).map((o) => o.textContent);
    expect(options).toEqual([
      expect.stringMatching(/^Users.*last activity/),
      expect.stringMatching(/^Projects.*archived ones included/),
      expect.stringMatching(/^Project API keys.*owner and last use/),
      expect.stringMatching(/^Admin API keys.*expiry/),
      expect.stringMatching(/^Invites.*Pending, accepted and expired/),
      expect.stringMatching(/^Service accounts.*active project/),
    ]);
  });

  it('switches the list and runs the query; the activity window belongs to users only', async () => {
    const { last, onRunQuery } = renderEditor({});
    await userEvent.click(screen.getByTestId(selectors.query.inventoryKind));
    await userEvent.click(await screen.findByRole('option', { name: /Project API keys/ }));
    expect(last()).toMatchObject({ queryType: QueryType.Inventory, inventory: 'projectApiKeys' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId(selectors.query.activityWindow)).not.toBeInTheDocument();
  });

  it('changes the activity window and runs the query', async () => {
    const { last, onRunQuery } = renderEditor({ inventory: 'users' });
    await userEvent.click(within(screen.getByTestId(selectors.query.activityWindow)).getByLabelText('7 days'));
    expect(last().activityWindow).toBe('7d');
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('keeps a window saved elsewhere selectable', () => {
    renderEditor({ inventory: 'users', activityWindow: '14d' });
    const checked = radios(selectors.query.activityWindow).find((r) => r.checked);
    expect(checked?.parentElement).toHaveTextContent('14d');
  });

  it('is offered in the query type picker', async () => {
    const { last } = renderEditor({ queryType: QueryType.TimeSeries, source: 'costs' }, QueryEditor);
    await settle();
    const picker = screen.getByTestId(selectors.query.queryType);
    expect(
      within(picker)
        .getAllByRole('radio')
        .map((r) => r.parentElement?.textContent?.trim())
    ).toEqual(expect.arrayContaining(['Usage & costs', 'Inventory', 'Audit logs']));
    await userEvent.click(within(picker).getByLabelText('Inventory'));
    expect(last().queryType).toBe(QueryType.Inventory);
    expect(screen.getByTestId(selectors.query.inventoryKind)).toBeInTheDocument();
  });
});
