import { ComponentType } from 'react';

import { QueryType } from '../../types';
import { AuditLogsEditor } from './AuditLogsEditor';
import { OpenAIQueryEditorProps } from './editorProps';
import { InsightEditor } from './InsightEditor';
import { InventoryEditor } from './InventoryEditor';
import { TimeSeriesQueryEditor } from './TimeSeriesQueryEditor';

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
