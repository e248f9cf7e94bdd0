import React from 'react';
import { EditorField, EditorSwitch } from '@grafana/plugin-ui';

import { selectors } from '../selectors';

interface Props {
  value?: boolean;
  onChange: (costByModel: boolean) => void;
}

export function CostByModelField({ value, onChange }: Props) {
  return (
    <EditorField
      label="Cost by model"
      htmlFor="openai-query-cost-by-model"
      tooltip="Splits each billing line item (e.g. “gpt-4o-2024-08-06, input”) into model and token type. Derived from the line item text, so labelled as estimated where the text is ambiguous."
    >
      <EditorSwitch
        id="openai-query-cost-by-model"
        data-testid={selectors.query.costByModel}
        value={Boolean(value)}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    </EditorField>
  );
}
