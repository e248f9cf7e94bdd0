import React from 'react';
import { EditorField, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { Combobox, ComboboxOption, RadioButtonGroup } from '@grafana/ui';

import { DEFAULT_INVENTORY_KIND, INVENTORY_KINDS, INVENTORY_KIND_IDS } from '../../inventory/kinds';
import { ACTIVITY_WINDOWS, DEFAULT_ACTIVITY_WINDOW } from '../../inventory/userActivity';
import { InventoryKind, OpenAIQuery } from '../../types';
import { selectors } from '../selectors';
import type { OpenAIQueryEditorProps } from './editorProps';

const KIND_OPTIONS: Array<ComboboxOption<InventoryKind>> = INVENTORY_KIND_IDS.map((id) => ({
  value: id,
  label: INVENTORY_KINDS[id].label,
  description: INVENTORY_KINDS[id].description,
}));

const WINDOW_LABELS: Record<string, string> = { '7d': '7 days', '30d': '30 days', '90d': '90 days' };

/** Organization inventory: which list to show as a table, and for users the window of activity. */
export function InventoryEditor({ query, onChange, onRunQuery }: OpenAIQueryEditorProps) {
  const kind = query.inventory && INVENTORY_KINDS[query.inventory] ? query.inventory : DEFAULT_INVENTORY_KIND;
  const window = query.activityWindow || DEFAULT_ACTIVITY_WINDOW;
  // A window saved from elsewhere (e.g. 14d) stays selectable.
  const windows = ACTIVITY_WINDOWS.includes(window as (typeof ACTIVITY_WINDOWS)[number])
    ? [...ACTIVITY_WINDOWS]
    : [...ACTIVITY_WINDOWS, window];

  const apply = (next: OpenAIQuery) => {
    onChange(next);
    onRunQuery();
  };

  return (
    <EditorRows>
      <EditorRow>
        <EditorField
          label="List"
          htmlFor="openai-query-inventory-kind"
          tooltip="Which organization list to show as a table. Every page is read; names are shown next to IDs."
        >
          <Combobox<InventoryKind>
            id="openai-query-inventory-kind"
            data-testid={selectors.query.inventoryKind}
            options={KIND_OPTIONS}
            value={kind}
            width={30}
            onChange={(option) => apply({ ...query, inventory: option.value })}
          />
        </EditorField>
        {kind === 'users' && (
          <EditorField
            label="Activity window"
            tooltip="How far back to look for each user's completions tokens, requests and last activity (daily usage buckets)."
          >
            <div data-testid={selectors.query.activityWindow}>
              <RadioButtonGroup<string>
                options={windows.map((w) => ({ value: w, label: WINDOW_LABELS[w] ?? w }))}
                value={window}
                onChange={(activityWindow) => apply({ ...query, activityWindow })}
              />
            </div>
          </EditorField>
        )}
      </EditorRow>
    </EditorRows>
  );
}
