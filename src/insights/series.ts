/** Time series frames of the insights, shaped like the time series query's: one frame per series, labels with IDs and names. */
import { DataFrame, DataFrameType, FieldType, QueryResultMetaNotice, createDataFrame } from '@grafana/data';

import { InsightKind } from '../types';
import { fillLegend } from '../query/frames';

export interface InsightSeries {
  labels: Record<string, string>;
  /** Legend when the query has no legend format. */
  display: string;
  values: Array<number | null>;
  /** Orders the series, largest first. */
  total: number;
  /** Series shown after all others, e.g. "unallocated". */
  last?: boolean;
}

export interface SeriesFrameInput {
  refId: string;
  insight: InsightKind;
  /** Milliseconds, one per bucket. */
  times: number[];
  intervalMs: number;
  fieldName: string;
  unit: string;
  series: InsightSeries[];
  legendFormat?: string;
  notices: QueryResultMetaNotice[];
  executed?: string;
  /** Text for an empty result. */
  empty: string;
}

export function seriesFrames(input: SeriesFrameInput): DataFrame[] {
  const ordered = [...input.series].sort(
    (a, b) =>
      Number(Boolean(a.last)) - Number(Boolean(b.last)) || b.total - a.total || a.display.localeCompare(b.display)
  );
  const notices = [...input.notices];
  if (ordered.length === 0) {
    notices.push({ severity: 'info', text: input.empty });
  }
  const meta = (first: boolean) => ({
    type: DataFrameType.TimeSeriesMulti,
    typeVersion: [0, 1] as [number, number],
    notices: first && notices.length ? notices : undefined,
    executedQueryString: input.executed,
    custom: { insight: input.insight },
  });
  const frames = ordered.map((s, i) => {
    const displayName = input.legendFormat ? fillLegend(input.legendFormat, s.labels, s.display) : s.display;
    return createDataFrame({
      refId: input.refId,
      name: displayName,
      meta: meta(i === 0),
      fields: [
        { name: 'Time', type: FieldType.time, values: input.times, config: { interval: input.intervalMs } },
        {
          name: input.fieldName,
          type: FieldType.number,
          values: s.values,
          labels: { ...s.labels },
          config: { unit: input.unit, displayNameFromDS: displayName },
        },
      ],
    });
  });
  return frames.length ? frames : [createDataFrame({ refId: input.refId, meta: meta(true), fields: [] })];
}
