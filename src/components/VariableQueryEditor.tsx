import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { EditorField, EditorRow, EditorRows, EditorSwitch } from '@grafana/plugin-ui';
import { Combobox, ComboboxOption, Input, RadioButtonGroup } from '@grafana/ui';

import { ENDPOINTS, SOURCE_IDS, SourceId } from '../api/catalog';
import type { DataSource } from '../datasource';
import { OpenAIDataSourceOptions, OpenAIQuery } from '../types';
import type { VariableQuery } from '../variables';
import { ChoiceKind, DEFAULT_LOOKBACK_DAYS } from '../org/choices';
import { useDraft } from './query/useDraft';
import { selectors } from './selectors';

type Props = QueryEditorProps<DataSource, OpenAIQuery, OpenAIDataSourceOptions, VariableQuery>;

const KINDS: Array<{ value: ChoiceKind; label: string; description: string }> = [
  { value: 'projects', label: 'Projects', description: 'Value: project ID; text: project name' },
  { value: 'users', label: 'Users', description: 'Value: user ID; text: email' },
  { value: 'apiKeys', label: 'API keys', description: 'Value: API key ID; text: key name (project)' },
  { value: 'models', label: 'Models', description: 'Models seen in usage over the last days' },
  { value: 'lineItems', label: 'Cost line items', description: 'Billing line items seen in costs over the last days' },
];

/** Usage endpoints whose results carry a model. */
const MODEL_SOURCES: Array<ComboboxOption<SourceId>> = SOURCE_IDS.filter((id) =>
  ENDPOINTS[id].groupBy.includes('model')
).map((id) => ({ value: id, label: ENDPOINTS[id].label, description: ENDPOINTS[id].description }));

export function VariableQueryEditor({ query: raw, onChange }: Props) {
  const query: VariableQuery = { ...raw, kind: raw.kind ?? 'projects' };
  const kind = query.kind!;
  const set = (patch: Partial<VariableQuery>) => onChange({ ...query, ...patch });

  return (
    <EditorRows>
      <EditorRow>
        <EditorField label="List" tooltip="What the variable offers. Its values are IDs, shown by readable name.">
          <div data-testid={selectors.variable.kind}>
            <RadioButtonGroup<ChoiceKind> options={KINDS} value={kind} onChange={(k) => set({ kind: k })} />
          </div>
        </EditorField>
      </EditorRow>
      <EditorRow>
        {(kind === 'projects' || kind === 'apiKeys') && (
          <EditorField
            label="Include archived"
            htmlFor="openai-variable-include-archived"
            tooltip="Archived projects still have usage and costs in past ranges."
          >
            <EditorSwitch
              id="openai-variable-include-archived"
              data-testid={selectors.variable.includeArchived}
              value={Boolean(query.includeArchived)}
              onChange={(e) => set({ includeArchived: e.currentTarget.checked })}
            />
          </EditorField>
        )}
        {kind === 'apiKeys' && (
          <ProjectIdsField value={query.projectIds} onCommit={(projectIds) => set({ projectIds })} />
        )}
        {kind === 'models' && (
          <EditorField
            label="Seen in"
            htmlFor="openai-variable-source"
            tooltip="The usage endpoint whose models are listed."
          >
            <Combobox<SourceId>
              id="openai-variable-source"
              data-testid={selectors.variable.source}
              options={MODEL_SOURCES}
              value={query.source ?? 'completions'}
              width={24}
              onChange={(o) => set({ source: o.value })}
            />
          </EditorField>
        )}
        {(kind === 'models' || kind === 'lineItems') && (
          <LookbackField value={query.lookbackDays} onCommit={(lookbackDays) => set({ lookbackDays })} />
        )}
      </EditorRow>
    </EditorRows>
  );
}

function ProjectIdsField({ value, onCommit }: { value?: string[]; onCommit: (ids?: string[]) => void }) {
  const joined = (value ?? []).join(', ');
  const [text, setText] = useDraft(joined);
  return (
    <EditorField
      label="Projects"
      htmlFor="openai-variable-projects"
      optional
      tooltip="Only keys of these projects: IDs separated by commas, or a variable such as $project. Empty = all projects."
    >
      <Input
        id="openai-variable-projects"
        data-testid={selectors.variable.projectIds}
        value={text}
        placeholder="$project"
        width={30}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          const ids = text
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          onCommit(ids.length ? ids : undefined);
        }}
      />
    </EditorField>
  );
}

function LookbackField({ value, onCommit }: { value?: number; onCommit: (days?: number) => void }) {
  const [text, setText] = useDraft(value?.toString() ?? '');
  return (
    <EditorField
      label="Look back (days)"
      htmlFor="openai-variable-lookback"
      optional
      tooltip={`Days of usage to look at for values. Default ${DEFAULT_LOOKBACK_DAYS}.`}
    >
      <Input
        id="openai-variable-lookback"
        data-testid={selectors.variable.lookback}
        type="number"
        min={1}
        max={180}
        value={text}
        placeholder={String(DEFAULT_LOOKBACK_DAYS)}
        width={12}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          const days = Math.round(Number(text));
          onCommit(text !== '' && days >= 1 ? days : undefined);
        }}
      />
    </EditorField>
  );
}
