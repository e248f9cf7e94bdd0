import React from 'react';
import { EditorField, EditorRow } from '@grafana/plugin-ui';
import { Button } from '@grafana/ui';

import { EndpointDef, FILTERS, FilterKey } from '../../api/catalog';
import { QueryFilters } from '../../types';
import { ChoiceSource } from '../../org/choices';
import { FilterField } from './FilterField';
import { selectors } from '../selectors';

interface Props {
  def: EndpointDef;
  filters: QueryFilters;
  datasource?: ChoiceSource;
  onChange: (filters: QueryFilters) => void;
}

/**
 * One picker per filter the source accepts, in the catalog's order, then each saved filter it does not accept
 * (from another source, or an older version), with a way to remove it so the query can run again.
 */
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
  const stray = (Object.keys(filters) as FilterKey[]).filter((key) => {
    const value = filters[key];
    return !def.filters.includes(key) && value !== undefined && !(Array.isArray(value) && value.length === 0);
  });
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
      {stray.map((key) => {
        const label = FILTERS[key]?.label ?? key;
        return (
          <EditorField
            key={key}
            label={label}
            invalid
            error={`${def.label} cannot be filtered by ${label}. Remove this filter to run the query.`}
          >
            <RemoveButton testId={selectors.query.strayFilter(key)} onClick={() => setFilter(key, undefined)}>
              Remove {label} filter
            </RemoveButton>
          </EditorField>
        );
      })}
    </EditorRow>
  );
}

/** Grafana's Field hands its child `invalid`, which a Button would pass on to the DOM. */
function RemoveButton({
  testId,
  onClick,
  children,
}: {
  testId: string;
  onClick: () => void;
  children: React.ReactNode;
}) {
  return (
    <Button variant="secondary" icon="trash-alt" data-testid={testId} onClick={onClick}>
      {children}
    </Button>
  );
}
