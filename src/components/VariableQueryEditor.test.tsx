import React, { useState } from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';

import type { VariableQuery } from '../variables';
import { setupComboboxEnvironment } from './comboboxTestSetup';
import { selectors } from './selectors';
import { userEvent } from './testing';
import { VariableQueryEditor } from './VariableQueryEditor';

setupComboboxEnvironment();

function renderEditor(initial: Partial<VariableQuery>) {
  const onChange = jest.fn();
  function Harness() {
    const [query, setQuery] = useState({ refId: 'A', ...initial } as VariableQuery);
    return (
      <VariableQueryEditor
        query={query}
        datasource={{} as never}
        onRunQuery={() => {}}
        onChange={(q: VariableQuery) => {
          onChange(q);
          setQuery(q);
        }}
      />
    );
  }
  render(<Harness />);
  return () => onChange.mock.calls[onChange.mock.calls.length - 1][0] as VariableQuery;
}

describe('VariableQueryEditor', () => {
  it('defaults to projects with an archived toggle', async () => {
    const last = renderEditor({});
    expect(within(screen.getByTestId(selectors.variable.kind)).getByLabelText('Projects')).toBeChecked();
    await userEvent.click(screen.getByTestId(selectors.variable.includeArchived));
    expect(last()).toMatchObject({ kind: 'projects', includeArchived: true });
  });

  it('asks models for the usage endpoint and the look-back', async () => {
    const last = renderEditor({});
    await userEvent.click(within(screen.getByTestId(selectors.variable.kind)).getByLabelText('Models'));
    expect(screen.queryByTestId(selectors.variable.includeArchived)).not.toBeInTheDocument();
    expect(screen.getByTestId(selectors.variable.source)).toHaveValue('Completions');
    await userEvent.click(screen.getByTestId(selectors.variable.source));
    await userEvent.click(await screen.findByRole('option', { name: /Embeddings/ }));
    expect(last()).toMatchObject({ kind: 'models', source: 'embeddings' });
    const lookback = screen.getByTestId(selectors.variable.lookback);
    await userEvent.type(lookback, '7');
    fireEvent.blur(lookback);
    expect(last().lookbackDays).toBe(7);
  });

  it('limits API keys to projects given as IDs or a variable', async () => {
    const last = renderEditor({ kind: 'apiKeys' });
    const input = screen.getByTestId(selectors.variable.projectIds);
    await userEvent.type(input, '$project, proj_x');
    fireEvent.blur(input);
    expect(last().projectIds).toEqual(['$project', 'proj_x']);
  });
});
