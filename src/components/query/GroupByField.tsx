import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { ComboboxOption, MultiCombobox } from '@grafana/ui';

import { DIMENSIONS, EndpointDef, GroupByKey } from '../../api/catalog';
import { selectors } from '../selectors';
import { PickerRoom } from './PickerRoom';

interface Props {
  def: EndpointDef;
  value: GroupByKey[];
  onChange: (groupBy: GroupByKey[]) => void;
}

export function GroupByField({ def, value, onChange }: Props) {
  const options: Array<ComboboxOption<GroupByKey>> = def.groupBy.map((g) => ({
    value: g,
    label: DIMENSIONS[g].label,
    description: DIMENSIONS[g].description,
  }));
  return (
    <EditorField
      label="Group by"
      htmlFor="openai-query-group-by"
      optional
      tooltip="One series per combination of these values. Projects, users and API keys are shown by name."
    >
      <PickerRoom>
        <MultiCombobox<GroupByKey>
          id="openai-query-group-by"
          data-testid={selectors.query.groupBy}
          options={options}
          value={value}
          placeholder="No grouping: one total"
          isClearable
          onChange={(selected) => onChange(selected.map((o) => o.value))}
        />
      </PickerRoom>
    </EditorField>
  );
}
