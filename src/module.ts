import { DataSourcePlugin } from '@grafana/data';

import { auditAnnotations } from './audit/annotations';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { AuditLogsEditor } from './components/query/AuditLogsEditor';
import { DataSource } from './datasource';
import { OpenAIDataSourceOptions, OpenAIQuery, OpenAISecureJsonData } from './types';

// Annotations edit an audit logs query; the editor joins the logic here, where components meet the data source.
auditAnnotations.QueryEditor = AuditLogsEditor;

// Template variables are wired by the data source itself (`this.variables`), not here.
export const plugin = new DataSourcePlugin<DataSource, OpenAIQuery, OpenAIDataSourceOptions, OpenAISecureJsonData>(
  DataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
