import { ComponentType } from 'react';
import { QueryEditorProps } from '@grafana/data';

import type { DataSource } from '../../datasource';
import { OpenAIDataSourceOptions, OpenAIQuery, QueryType } from '../../types';
import { TimeSeriesQueryEditor } from './TimeSeriesQueryEditor';

export type OpenAIQueryEditorProps = QueryEditorProps<DataSource, OpenAIQuery, OpenAIDataSourceOptions>;

export interface QueryTypeEditor {
  label: string;
  description: string;
  component: ComponentType<OpenAIQueryEditorProps>;
}

/**
 * The editor of each query type. A type appears in the query type picker only once its editor is
 * registered here, so a half-built type is never offered.
 */
export const queryTypeEditors: Partial<Record<QueryType, QueryTypeEditor>> = {
  [QueryType.TimeSeries]: {
    label: 'Usage & costs',
    description: 'Tokens, requests or dollars over time',
    component: TimeSeriesQueryEditor,
  },
};

/** Registered types in the enum's order. */
export function registeredQueryTypes(): QueryType[] {
  return Object.values(QueryType).filter((t) => queryTypeEditors[t]);
}
