import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { ComboboxOption, MultiCombobox } from '@grafana/ui';

import { EndpointDef } from '../../api/catalog';
import { selectors } from '../selectors';
import { PickerRoom, chipLabels } from './PickerRoom';

interface Props {
  def: EndpointDef;
  value: string[];
  onChange: (metrics: string[]) => void;
}

export function MetricsField({ def, value, onChange }: Props) {
  const options: Array<ComboboxOption<string>> = def.metrics.map((m) => ({
    value: m.field,
    label: m.label,
    description: m.description ?? m.field,
  }));
  const defaults = def.metrics.filter((m) => m.isDefault).map((m) => m.label);
  const placeholder = `Defaults: ${defaults.join(', ')}`;
  return (
    <EditorField
      label="Metrics"
      htmlFor="openai-query-metrics"
      optional
      tooltip={`Result fields to chart, one series each. Leave empty for the defaults of ${def.label}: ${defaults.join(', ')}.`}
    >
      <PickerRoom fits={{ placeholder, chips: chipLabels(options, value) }}>
        <MultiCombobox<string>
          id="openai-query-metrics"
          data-testid={selectors.query.metrics}
          options={options}
          value={value}
          placeholder={placeholder}
          isClearable
          onChange={(selected) => onChange(selected.map((o) => o.value))}
        />
      </PickerRoom>
    </EditorField>
  );
}
