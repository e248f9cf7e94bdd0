import React from 'react';
import { EditorRow } from '@grafana/plugin-ui';

import { EndpointDef, FilterKey } from '../../api/catalog';
import { QueryFilters } from '../../types';
import { ChoiceSource } from '../../org/choices';
import { FilterField } from './FilterField';

interface Props {
  def: EndpointDef;
  filters: QueryFilters;
  datasource?: ChoiceSource;
  onChange: (filters: QueryFilters) => void;
}

/** One picker per filter the source accepts, in the catalog's order. */
export function FiltersRow({ def, filters, datasource, onChange }: Props) {
  const setFilter = (key: FilterKey, value: string[] | boolean | undefined) => {
    const next: QueryFilters = { ...filters };
    if (value === undefined) {
      delete next[key];
    } else {
      (next as Record<string, unknown>)[key] = value;
    }
    onChange(next);
  };
  return (
    <EditorRow>
      {def.filters.map((key) => (
        <FilterField
          key={key}
          filterKey={key}
          source={def.id}
          value={filters[key]}
          datasource={datasource}
          onChange={(v) => setFilter(key, v)}
        />
      ))}
    </EditorRow>
  );
}
