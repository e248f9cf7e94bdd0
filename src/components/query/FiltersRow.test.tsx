import { render, screen } from '@testing-library/react';
import React from 'react';

import { ENDPOINTS } from '../../api/catalog';
import { setupComboboxEnvironment } from '../comboboxTestSetup';
import { selectors } from '../selectors';
import { userEvent } from '../testing';
import { FiltersRow } from './FiltersRow';

setupComboboxEnvironment();

describe('FiltersRow', () => {
  it('lets a saved filter the source does not accept be removed, keeping the others', async () => {
    const onChange = jest.fn();
    render(
      <FiltersRow
        def={ENDPOINTS.costs}
        filters={{ projectIds: ['proj_a'], models: ['gpt-4o'], userIds: [] }}
        onChange={onChange}
      />
    );
    expect(
      screen.getByText('Costs cannot be filtered by Models. Remove this filter to run the query.')
    ).toBeInTheDocument();
    // An empty list filters nothing, so it is not offered for removal.
    expect(screen.queryByTestId(selectors.query.strayFilter('userIds'))).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId(selectors.query.strayFilter('models')));
    expect(onChange).toHaveBeenCalledWith({ projectIds: ['proj_a'], userIds: [] });
  });

  it('names a filter key it does not know rather than failing', () => {
    render(<FiltersRow def={ENDPOINTS.costs} filters={{ regions: ['eu'] } as never} onChange={jest.fn()} />);
    expect(screen.getByTestId(selectors.query.strayFilter('regions'))).toHaveTextContent('Remove regions filter');
  });
});
