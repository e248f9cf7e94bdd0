import React from 'react';
import { QueryEditorProps } from '@grafana/data';

import type { DataSource } from '../../datasource';
import { OpenAIDataSourceOptions, OpenAIQuery } from '../../types';
import { TimeSeriesEditor } from './TimeSeriesEditor';

/** Adapts Grafana's query editor props to the time series editor. */
export function TimeSeriesQueryEditor({
  query,
  datasource,
  onChange,
  onRunQuery,
}: QueryEditorProps<DataSource, OpenAIQuery, OpenAIDataSourceOptions>) {
  return <TimeSeriesEditor query={query} datasource={datasource} onChange={onChange} onRunQuery={onRunQuery} />;
}
