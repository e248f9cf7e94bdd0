import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { OpenAIDataSourceOptions, OpenAIQuery, OpenAISecureJsonData } from './types';

// Template variables are wired by the data source itself (`this.variables`), not here.
export const plugin = new DataSourcePlugin<DataSource, OpenAIQuery, OpenAIDataSourceOptions, OpenAISecureJsonData>(
  DataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
