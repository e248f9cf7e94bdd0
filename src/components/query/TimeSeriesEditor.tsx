import React, { useState } from 'react';
import { EditorRow, EditorRows } from '@grafana/plugin-ui';
import { Alert } from '@grafana/ui';

import { ENDPOINTS, SourceId } from '../../api/catalog';
import { DEFAULT_QUERY, OpenAIQuery } from '../../types';
import { selectors } from '../selectors';
import { BucketWidthField } from './BucketWidthField';
import { checkTimeSeriesQuery } from '../../query/validate';
import { ChoiceSource } from '../../org/choices';
import { CostByModelField } from './CostByModelField';
import { FiltersRow } from './FiltersRow';
import { GroupByField } from './GroupByField';
import { LegendFormatField } from './LegendFormatField';
import { MetricsField } from './MetricsField';
import { SourceField } from './SourceField';
import { changeSource, describeDrop } from './sourceChange';

export interface TimeSeriesEditorProps {
  query: OpenAIQuery;
  datasource?: ChoiceSource;
  onChange: (query: OpenAIQuery) => void;
  onRunQuery: () => void;
}

/** Usage and costs as time series: every choice comes from the endpoint catalog. */
export function TimeSeriesEditor({ query, datasource, onChange, onRunQuery }: TimeSeriesEditorProps) {
  const [notice, setNotice] = useState<string | undefined>();
  const source: SourceId = query.source && ENDPOINTS[query.source] ? query.source : (DEFAULT_QUERY.source as SourceId);
  const def = ENDPOINTS[source];

  const apply = (next: OpenAIQuery) => {
    onChange(next);
    onRunQuery();
  };

  const onSourceChange = (id: SourceId) => {
    if (id === query.source) {
      return;
    }
    const { query: next, dropped } = changeSource(query, id);
    setNotice(dropped.length ? describeDrop(id, dropped) : undefined);
    apply(next);
  };

  const problems = checkTimeSeriesQuery(query);

  return (
    <EditorRows>
      <EditorRow>
        <SourceField value={query.source} onChange={onSourceChange} />
        <MetricsField def={def} value={query.metrics ?? []} onChange={(metrics) => apply({ ...query, metrics })} />
        <BucketWidthField
          def={def}
          value={query.bucketWidth}
          onChange={(bucketWidth) => apply({ ...query, bucketWidth })}
        />
      </EditorRow>
      <EditorRow>
        <GroupByField def={def} value={query.groupBy ?? []} onChange={(groupBy) => apply({ ...query, groupBy })} />
        <LegendFormatField value={query.legendFormat} onCommit={(legendFormat) => apply({ ...query, legendFormat })} />
        {def.costByModel && (
          <CostByModelField value={query.costByModel} onChange={(costByModel) => apply({ ...query, costByModel })} />
        )}
      </EditorRow>
      {def.filters.length > 0 && (
        <FiltersRow
          def={def}
          filters={query.filters ?? {}}
          datasource={datasource}
          onChange={(filters) => apply({ ...query, filters })}
        />
      )}
      {notice && (
        <Alert
          severity="info"
          title="Source changed"
          data-testid={selectors.query.sourceChangeNotice}
          onRemove={() => setNotice(undefined)}
        >
          {notice}
        </Alert>
      )}
      {problems.length > 0 && (
        <Alert severity="error" title="This query cannot run as it is" data-testid={selectors.query.validation}>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Alert>
      )}
    </EditorRows>
  );
}
