import { from, Observable } from 'rxjs';
import { map } from 'rxjs/operators';
import { CustomVariableSupport, DataQueryRequest, DataQueryResponse, FieldType, createDataFrame } from '@grafana/data';
import { DataQuery } from '@grafana/schema';
import { getTemplateSrv } from '@grafana/runtime';

import { SourceId } from './api/catalog';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import { ChoiceKind, ChoiceOptions, ChoiceSource, loadChoices } from './org/choices';
import type { DataSource } from './datasource';

/** A template variable's query: which list to offer. Values are IDs, texts are readable names. */
export interface VariableQuery extends DataQuery {
  kind?: ChoiceKind;
  /** Projects and API keys: include archived projects. */
  includeArchived?: boolean;
  /** Models: the usage endpoint to look in. */
  source?: SourceId;
  /** Models and line items: days of usage to look at. */
  lookbackDays?: number;
  /** API keys: only keys of these projects; may hold variables such as `$project`. */
  projectIds?: string[];
}

export const DEFAULT_VARIABLE_QUERY: Partial<VariableQuery> = { kind: 'projects' };

/** Turns the saved variable query into the choice options, expanding multi-value variables. */
export function choiceOptionsOf(query: VariableQuery, replace: (text: string) => string): ChoiceOptions {
  const options: ChoiceOptions = {};
  if (query.includeArchived) {
    options.includeArchived = true;
  }
  if (query.kind === 'models' && query.source) {
    options.source = query.source;
  }
  if ((query.kind === 'models' || query.kind === 'lineItems') && query.lookbackDays) {
    options.lookbackDays = query.lookbackDays;
  }
  if (query.kind === 'apiKeys' && query.projectIds?.length) {
    const ids = query.projectIds
      .flatMap((id) => replace(id).split(','))
      .map((id) => id.trim())
      .filter((id) => id && id !== '$__all');
    if (ids.length) {
      options.projectIds = ids;
    }
  }
  return options;
}

export class OpenAIVariableSupport extends CustomVariableSupport<DataSource, VariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: ChoiceSource) {
    super();
  }

  query(request: DataQueryRequest<VariableQuery>): Observable<DataQueryResponse> {
    const query: VariableQuery = { ...DEFAULT_VARIABLE_QUERY, ...request.targets[0] } as VariableQuery;
    const templateSrv = getTemplateSrv();
    const options = choiceOptionsOf(query, (text) => templateSrv.replace(text, request.scopedVars, 'csv'));
    const kind = query.kind ?? 'projects';
    return from(loadChoices(this.datasource, kind, options)).pipe(
      map((choices) => ({
        data: [
          createDataFrame({
            refId: query.refId,
            fields: [
              { name: 'text', type: FieldType.string, values: choices.map((c) => c.label) },
              { name: 'value', type: FieldType.string, values: choices.map((c) => c.value) },
            ],
          }),
        ],
      }))
    );
  }
}
