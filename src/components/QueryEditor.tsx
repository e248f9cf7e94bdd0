import React from 'react';
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
        <div data-testid={selectors.query.queryType}>
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
      )}
      <Editor {...props} query={query} />
    </Stack>
  );
}
