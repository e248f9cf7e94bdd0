import React from 'react';
import { EditorField, EditorRow, EditorRows, EditorSwitch } from '@grafana/plugin-ui';
import { getDataSourceSrv } from '@grafana/runtime';
import { Combobox, ComboboxOption, Input, RadioButtonGroup, Text } from '@grafana/ui';

import { DEFAULT_INSIGHT_KIND, INSIGHT_KINDS, INSIGHT_KIND_IDS } from '../../insights/kinds';
import { InsightKind, OpenAIDataSourceOptions, OpenAIQuery, Principal } from '../../types';
import { selectors } from '../selectors';
import { FilterField } from './FilterField';
import { LegendFormatField } from './LegendFormatField';
import type { OpenAIQueryEditorProps } from './editorProps';
import { commitOnEnter, useDraft } from './useDraft';

const KIND_OPTIONS: Array<ComboboxOption<InsightKind>> = INSIGHT_KIND_IDS.map((id) => ({
  value: id,
  label: INSIGHT_KINDS[id].label,
  description: INSIGHT_KINDS[id].description,
}));

const PRINCIPAL_OPTIONS = [
  { value: 'user_id' as const, label: 'User', description: 'Shown by email' },
  { value: 'api_key_id' as const, label: 'API key', description: 'Shown by key name' },
];

const SERIES_KINDS: InsightKind[] = ['spendByModel', 'attributedSpend', 'cacheEfficiency'];

/** The data source's own budget, shown as the placeholder the query's budget overrides. */
function dataSourceBudget(uid: string | undefined): number | undefined {
  if (!uid) {
    return undefined;
  }
  const budget = getDataSourceSrv().getInstanceSettings(uid)?.jsonData as OpenAIDataSourceOptions | undefined;
  const n = Number(budget?.monthlyBudget);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function usd(n: number): string {
  return n.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
}

/** Cost insights: which figure, and the few options each one takes. */
export function InsightEditor({ query, datasource, onChange, onRunQuery }: OpenAIQueryEditorProps) {
  const kind = query.insight && INSIGHT_KINDS[query.insight] ? query.insight : DEFAULT_INSIGHT_KIND;
  const principal: Principal = query.attributeTo ?? 'user_id';

  const apply = (next: OpenAIQuery) => {
    onChange(next);
    onRunQuery();
  };

  const onKindChange = (insight: InsightKind) => {
    // A change starts from the new kind's defaults.
    apply({
      ...query,
      insight,
      byProject: undefined,
      byTokenType: undefined,
      attributeTo: insight === 'attributedSpend' ? 'user_id' : undefined,
    });
  };

  return (
    <EditorRows>
      <EditorRow>
        <EditorField
          label="Insight"
          htmlFor="openai-query-insight-kind"
          tooltip="A figure derived from costs and usage. Billed figures are exact; attributed ones and projections are estimates, and are labelled so."
        >
          <Combobox<InsightKind>
            id="openai-query-insight-kind"
            data-testid={selectors.query.insightKind}
            options={KIND_OPTIONS}
            value={kind}
            width={30}
            onChange={(option) => onKindChange(option.value)}
          />
        </EditorField>
        {kind === 'attributedSpend' && (
          <EditorField
            label="Attribute to"
            tooltip="Costs cannot be grouped by user or key, so spend is shared out by each one's tokens of the same model, project and day."
          >
            <div data-testid={selectors.query.attributeTo}>
              <RadioButtonGroup<Principal>
                options={PRINCIPAL_OPTIONS}
                value={principal}
                onChange={(attributeTo) => apply({ ...query, attributeTo })}
              />
            </div>
          </EditorField>
        )}
        {kind === 'spendByModel' && (
          <EditorField
            label="Split by token type"
            htmlFor="openai-query-split-by-token-type"
            tooltip="One series per model and token type (input, cached input, output, batch input…) instead of one per model."
          >
            <EditorSwitch
              id="openai-query-split-by-token-type"
              data-testid={selectors.query.splitByTokenType}
              value={Boolean(query.byTokenType)}
              onChange={(e) => apply({ ...query, byTokenType: e.currentTarget.checked })}
            />
          </EditorField>
        )}
        {(kind === 'spendByModel' || kind === 'cacheEfficiency') && (
          <EditorField label="By project" htmlFor="openai-query-by-project" tooltip="One series per project as well.">
            <EditorSwitch
              id="openai-query-by-project"
              data-testid={selectors.query.byProject}
              value={Boolean(query.byProject)}
              onChange={(e) => apply({ ...query, byProject: e.currentTarget.checked })}
            />
          </EditorField>
        )}
        {kind === 'budget' && (
          <MonthlyBudgetField
            value={query.monthlyBudget}
            fallback={dataSourceBudget(datasource?.uid)}
            onCommit={(monthlyBudget) => apply({ ...query, monthlyBudget })}
          />
        )}
      </EditorRow>
      <EditorRow>
        <FilterField
          filterKey="projectIds"
          source="costs"
          value={query.filters?.projectIds}
          datasource={datasource}
          onChange={(projectIds) =>
            apply({ ...query, filters: { ...query.filters, projectIds: projectIds as string[] | undefined } })
          }
        />
        {SERIES_KINDS.includes(kind) && (
          <LegendFormatField
            value={query.legendFormat}
            onCommit={(legendFormat) => apply({ ...query, legendFormat })}
          />
        )}
      </EditorRow>
      <div data-testid={selectors.query.insightExactness}>
        <Text variant="bodySmall" color="secondary">
          {INSIGHT_KINDS[kind].exactness}
        </Text>
      </div>
    </EditorRows>
  );
}

interface BudgetProps {
  value?: number;
  /** The data source's budget, used when the query sets none. */
  fallback?: number;
  onCommit: (monthlyBudget: number | undefined) => void;
}

/** Committed on blur (or Enter); empty falls back to the data source's budget. */
function MonthlyBudgetField({ value, fallback, onCommit }: BudgetProps) {
  const saved = value === undefined || value === null ? '' : String(value);
  const [text, setText] = useDraft(saved);
  const parsed = text.trim() === '' ? undefined : Number(text);
  const invalid = parsed !== undefined && !(Number.isFinite(parsed) && parsed > 0);

  const commit = () => {
    if (!invalid && text.trim() !== saved) {
      onCommit(parsed);
    }
  };

  return (
    <EditorField
      label="Monthly budget (USD)"
      htmlFor="openai-query-monthly-budget"
      optional
      tooltip="Overrides the data source's monthly budget for this query. Empty = the data source's."
      invalid={invalid}
      error={invalid ? 'Enter a positive amount in USD.' : undefined}
    >
      <Input
        id="openai-query-monthly-budget"
        data-testid={selectors.query.monthlyBudget}
        type="number"
        min={0}
        value={text}
        placeholder={fallback !== undefined ? `Data source: ${usd(fallback)}` : 'Not set in the data source'}
        width={26}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={commitOnEnter(commit)}
      />
    </EditorField>
  );
}
