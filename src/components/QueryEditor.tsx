import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { RadioButtonGroup, Stack } from '@grafana/ui';

import { migrateQuery } from '../query/migrate';
import { QueryType } from '../types';
import { OpenAIQueryEditorProps, queryTypeEditors, registeredQueryTypes } from './query/registry';
import { selectors } from './selectors';

/** Dispatches to the editor of the query's type. */
export function QueryEditor(props: OpenAIQueryEditorProps) {
  const query = migrateQuery(props.query);
  const types = registeredQueryTypes();
  const queryType = query.queryType ?? QueryType.TimeSeries;
  const entry = queryTypeEditors[queryType] ?? queryTypeEditors[QueryType.TimeSeries]!;
  const Editor = entry.component;

  return (
    <Stack direction="column" gap={1}>
      {types.length > 1 && (
        <EditorField
          label="Query type"
          tooltip="What the query returns: usage and costs as time series, the organization's inventory as a table, audit log events, or derived cost insights."
        >
          <div data-testid={selectors.query.queryType} role="radiogroup" aria-label="Query type">
            <RadioButtonGroup<QueryType>
              options={types.map((t) => ({
                value: t,
                label: queryTypeEditors[t]!.label,
                description: queryTypeEditors[t]!.description,
              }))}
              value={queryType}
              onChange={(t) => {
                props.onChange({ ...query, queryType: t });
                props.onRunQuery();
              }}
            />
          </div>
        </EditorField>
      )}
      <Editor {...props} query={query} />
    </Stack>
  );
}
