import { QueryEditorProps } from '@grafana/data';

import type { DataSource } from '../../datasource';
import { OpenAIDataSourceOptions, OpenAIQuery } from '../../types';

/** What Grafana hands every query editor of this data source. */
export type OpenAIQueryEditorProps = QueryEditorProps<DataSource, OpenAIQuery, OpenAIDataSourceOptions>;
