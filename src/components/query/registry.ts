import { ComponentType } from 'react';
import { QueryEditorProps } from '@grafana/data';

import type { DataSource } from '../../datasource';
import { OpenAIDataSourceOptions, OpenAIQuery, QueryType } from '../../types';
import { AuditLogsEditor } from './AuditLogsEditor';
import { InsightEditor } from './InsightEditor';
import { InventoryEditor } from './InventoryEditor';
import { TimeSeriesQueryEditor } from './TimeSeriesQueryEditor';

export type OpenAIQueryEditorProps = QueryEditorProps<DataSource, OpenAIQuery, OpenAIDataSourceOptions>;

/**
 * The editor of each query type, keyed like the logic's QUERY_TYPES (src/queryTypes.ts): both are complete
 * records of QueryType, so a type cannot have a runner without an editor or the other way round.
 */
export const queryTypeEditors: Record<QueryType, ComponentType<OpenAIQueryEditorProps>> = {
  [QueryType.TimeSeries]: TimeSeriesQueryEditor,
  [QueryType.Inventory]: InventoryEditor,
  [QueryType.AuditLogs]: AuditLogsEditor,
  [QueryType.Insight]: InsightEditor,
};
