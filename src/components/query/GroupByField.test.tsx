import { render, screen } from '@testing-library/react';
import React from 'react';

import { ENDPOINTS } from '../../api/catalog';
import { setupComboboxEnvironment } from '../comboboxTestSetup';
import { GroupByField } from './GroupByField';

setupComboboxEnvironment();

describe('GroupByField', () => {
  it('says why vector stores are shown by ID when grouping by them', () => {
    const { rerender } = render(
      <GroupByField def={ENDPOINTS.file_search_calls} value={['project_id']} onChange={jest.fn()} />
    );
    expect(screen.queryByText(/Vector stores are shown by ID/)).not.toBeInTheDocument();
    rerender(<GroupByField def={ENDPOINTS.file_search_calls} value={['vector_store_id']} onChange={jest.fn()} />);
    expect(
      screen.getByText(/Vector stores are shown by ID .*admin key may call administration endpoints only/)
    ).toBeInTheDocument();
  });
});
