import { ComponentType } from 'react';
import { QueryEditorProps } from '@grafana/data';

import type { DataSource } from '../../datasource';
import { OpenAIDataSourceOptions, OpenAIQuery, QueryType } from '../../types';
import { AuditLogsEditor } from './AuditLogsEditor';
import { InsightEditor } from './InsightEditor';
import { InventoryEditor } from './InventoryEditor';
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
  [QueryType.Inventory]: {
    label: 'Inventory',
    description: 'Users, projects, keys, invites and service accounts as a table',
    component: InventoryEditor,
  },
  [QueryType.AuditLogs]: {
    label: 'Audit logs',
    description: 'Who changed what in the organization, as logs or annotations',
    component: AuditLogsEditor,
  },
  [QueryType.Insight]: {
    label: 'Insights',
    description: 'Spend by model, by user or key, budget, cache efficiency, billed vs. attributed',
    component: InsightEditor,
  },
};

/** Registered types in the enum's order. */
export function registeredQueryTypes(): QueryType[] {
  return Object.values(QueryType).filter((t) => queryTypeEditors[t]);
}
