import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { RadioButtonGroup, Stack } from '@grafana/ui';

import { ownEntry } from '../lookup';
import { migrateQuery } from '../query/migrate';
import { QUERY_TYPES, QUERY_TYPE_IDS } from '../queryTypes';
import { QueryType } from '../types';
import type { OpenAIQueryEditorProps } from './query/editorProps';
import { queryTypeEditors } from './query/registry';
import { selectors } from './selectors';

/** Dispatches to the editor of the query's type. */
export function QueryEditor(props: OpenAIQueryEditorProps) {
  const query = migrateQuery(props.query);
  const known = ownEntry(QUERY_TYPES, query.queryType) ? query.queryType! : QueryType.TimeSeries;
  const Editor = queryTypeEditors[known];

  return (
    <Stack direction="column" gap={1}>
      <EditorField
        label="Query type"
        tooltip="What the query returns: usage and costs as time series, the organization's inventory as a table, audit log events, or derived cost insights."
      >
        <div data-testid={selectors.query.queryType} role="radiogroup" aria-label="Query type">
          <RadioButtonGroup<QueryType>
            options={QUERY_TYPE_IDS.map((t) => ({
              value: t,
              label: QUERY_TYPES[t].label,
              description: QUERY_TYPES[t].description,
            }))}
            value={query.queryType ?? QueryType.TimeSeries}
            onChange={(t) => {
              // Brought to the new type's shape, so the query saves what its editor shows (e.g. the default insight).
              props.onChange(migrateQuery({ ...query, queryType: t }));
              props.onRunQuery();
            }}
          />
        </div>
      </EditorField>
      <Editor {...props} query={query} />
    </Stack>
  );
}
