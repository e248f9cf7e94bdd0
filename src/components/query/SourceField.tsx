import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { Combobox, ComboboxOption } from '@grafana/ui';

import { ENDPOINTS, SOURCE_IDS, SourceId } from '../../api/catalog';
import { selectors } from '../selectors';

const OPTIONS: Array<ComboboxOption<SourceId>> = SOURCE_IDS.map((id) => ({
  value: id,
  label: ENDPOINTS[id].label,
  description: ENDPOINTS[id].description,
  group: ENDPOINTS[id].group,
}));

interface Props {
  value?: SourceId;
  onChange: (source: SourceId) => void;
}

export function SourceField({ value, onChange }: Props) {
  return (
    <EditorField
      label="Source"
      htmlFor="openai-query-source"
      tooltip="Which Admin API endpoint to read: Costs (billed dollars, daily) or one of the usage endpoints (tokens, requests, images…)."
    >
      <Combobox<SourceId>
        id="openai-query-source"
        data-testid={selectors.query.source}
        options={OPTIONS}
        value={value ?? null}
        width={26}
        onChange={(option) => onChange(option.value)}
      />
    </EditorField>
  );
}
