import React from 'react';
import { SelectableValue } from '@grafana/data';
import { EditorField } from '@grafana/plugin-ui';
import { RadioButtonGroup } from '@grafana/ui';

import { BucketWidth, EndpointDef } from '../../api/catalog';
import { selectors } from '../selectors';

type Width = BucketWidth | 'auto';

const LABELS: Record<Width, SelectableValue<Width>> = {
  auto: {
    label: 'Auto',
    description:
      'Daily over ranges longer than a week, hourly over ranges longer than a day, else the finest width the panel can draw',
  },
  '1m': { label: '1m', description: 'One-minute buckets; recent minutes are revised after they close' },
  '1h': { label: '1h', description: 'Hourly buckets' },
  '1d': { label: '1d', description: 'Daily buckets (UTC days)' },
};

interface Props {
  def: EndpointDef;
  value?: Width;
  onChange: (width: Width) => void;
}

export function BucketWidthField({ def, value, onChange }: Props) {
  const widths: Width[] = ['auto', ...def.bucketWidths];
  const options = widths.map((w) => ({ value: w, ...LABELS[w] }));
  return (
    <EditorField
      label="Bucket width"
      tooltip={
        def.bucketWidths.length === 1
          ? `${def.label} is reported only in ${def.bucketWidths[0]} buckets.`
          : 'Size of each time bucket. Auto follows the time range (daily beyond a week, hourly beyond a day), so panels of one dashboard agree; under a day it picks the finest width the panel can draw.'
      }
    >
      <div data-testid={selectors.query.bucketWidth}>
        <RadioButtonGroup<Width> options={options} value={value ?? 'auto'} onChange={onChange} size="md" />
      </div>
    </EditorField>
  );
}
