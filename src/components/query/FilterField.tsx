import React, { useMemo } from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { ComboboxOption, MultiCombobox, RadioButtonGroup } from '@grafana/ui';

import { FILTERS, FilterKey, NameKind, SourceId } from '../../api/catalog';
import { selectors } from '../selectors';
import { PickerRoom, chipLabels } from './PickerRoom';
import { ChoiceKind, ChoiceSource } from '../../org/choices';
import { describeLoadError } from './loadError';
import { variableOptions } from './templateVariables';
import { useChoices } from './useChoices';

const NAME_KINDS: Record<NameKind, ChoiceKind> = { project: 'projects', user: 'users', apiKey: 'apiKeys' };

/** Where a filter's readable options come from, if anywhere. */
function choiceKindOf(key: FilterKey): ChoiceKind | undefined {
  const def = FILTERS[key];
  if (def.nameKind) {
    return NAME_KINDS[def.nameKind];
  }
  return key === 'models' ? 'models' : undefined;
}

const BATCH_OPTIONS = [
  { value: 'any', label: 'Any', description: 'Batch and standard requests' },
  { value: 'true', label: 'Batch only', description: 'Only Batch API jobs' },
  { value: 'false', label: 'Standard only', description: 'Only standard (non-batch) requests' },
];

interface Props {
  filterKey: FilterKey;
  source: SourceId;
  value: unknown;
  datasource?: ChoiceSource;
  onChange: (value: string[] | boolean | undefined) => void;
}

export function FilterField({ filterKey, source, value, datasource, onChange }: Props) {
  const def = FILTERS[filterKey];
  const testId = selectors.query.filter(filterKey);

  if (def.kind === 'boolean') {
    const current = value === true ? 'true' : value === false ? 'false' : 'any';
    return (
      <EditorField label={def.label} tooltip={def.description}>
        <div data-testid={testId}>
          <RadioButtonGroup<string>
            options={BATCH_OPTIONS}
            value={current}
            onChange={(v) => onChange(v === 'any' ? undefined : v === 'true')}
          />
        </div>
      </EditorField>
    );
  }
  return (
    <MultiFilterField
      filterKey={filterKey}
      source={source}
      value={Array.isArray(value) ? value : []}
      datasource={datasource}
      onChange={onChange}
    />
  );
}

interface MultiProps extends Omit<Props, 'value'> {
  value: string[];
}

function MultiFilterField({ filterKey, source, value, datasource, onChange }: MultiProps) {
  const def = FILTERS[filterKey];
  const kind = choiceKindOf(filterKey);
  const { choices, loading, error } = useChoices(datasource, kind, kind === 'models' ? { source } : {});

  const options = useMemo(() => {
    const base: Array<ComboboxOption<string>> =
      def.kind === 'enum' ? (def.options ?? []).map((o) => ({ value: o, label: o })) : choices;
    return [...base, ...variableOptions()];
  }, [def, choices]);

  const id = `openai-query-filter-${filterKey}`;
  const tooltip =
    def.kind === 'enum'
      ? def.description
      : `${def.description}. Pick from the list, type an ID, or use a dashboard variable such as $${filterKey}.`;
  return (
    <EditorField
      label={def.label}
      htmlFor={id}
      optional
      tooltip={tooltip}
      invalid={Boolean(error)}
      error={error ? describeLoadError(error, def.label) : undefined}
    >
      <PickerRoom fits={{ chips: chipLabels(options, value) }}>
        <MultiCombobox<string>
          id={id}
          data-testid={selectors.query.filter(filterKey)}
          options={options}
          value={value}
          loading={loading}
          createCustomValue={def.kind === 'ids'}
          customValueDescription="Use this ID"
          placeholder="All"
          isClearable
          onChange={(selected) => {
            const values = selected.map((o) => o.value);
            onChange(values.length ? values : undefined);
          }}
        />
      </PickerRoom>
    </EditorField>
  );
}
