import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { ComboboxOption, MultiCombobox, Text } from '@grafana/ui';

import { DIMENSIONS, EndpointDef, GroupByKey } from '../../api/catalog';
import { selectors } from '../selectors';
import { PickerRoom, chipLabels } from './PickerRoom';

interface Props {
  def: EndpointDef;
  value: GroupByKey[];
  onChange: (groupBy: GroupByKey[]) => void;
}

const NO_GROUPING = 'No grouping: one total';

export function GroupByField({ def, value, onChange }: Props) {
  const options: Array<ComboboxOption<GroupByKey>> = def.groupBy.map((g) => ({
    value: g,
    label: DIMENSIONS[g].label,
    description: DIMENSIONS[g].description,
  }));
  const asIds = value.map((g) => DIMENSIONS[g]?.shownAsIds).filter(Boolean);
  return (
    <EditorField
      label="Group by"
      htmlFor="openai-query-group-by"
      optional
      tooltip="One series per combination of these values. Projects, users and API keys are shown by name."
    >
      <div>
        <PickerRoom fits={{ placeholder: NO_GROUPING, chips: chipLabels(options, value) }}>
          <MultiCombobox<GroupByKey>
            id="openai-query-group-by"
            data-testid={selectors.query.groupBy}
            options={options}
            value={value}
            placeholder={NO_GROUPING}
            isClearable
            onChange={(selected) => onChange(selected.map((o) => o.value))}
          />
        </PickerRoom>
        {asIds.length > 0 && (
          <Text variant="bodySmall" color="secondary">
            {asIds.join(' ')}
          </Text>
        )}
      </div>
    </EditorField>
  );
}
