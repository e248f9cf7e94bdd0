/**
 * Buckets become time-series frames: one frame per group and metric, time = bucket start, a value for
 * every bucket (an empty bucket is a zero, as the API means it), labels with both IDs and names.
 */
import {
  DataFrame,
  FieldType,
  DataFrameType,
  QueryResultMeta,
  QueryResultMetaNotice,
  createDataFrame,
} from '@grafana/data';

import {
  BUCKET_SECONDS,
  BucketWidth,
  DIMENSIONS,
  EndpointDef,
  GroupByKey,
  MetricDef,
  NameKind,
  noneOf,
} from '../api/catalog';
import { ApiError } from '../api/errors';
import { UsageBucket, UsageResult } from '../api/types';
import { NameMap } from '../org/directory';
import { NOT_PER_MODEL, parseLineItem } from './lineItems';
import { dimValue, metricValue, unitOf } from './values';

export interface FrameInput {
  def: EndpointDef;
  metrics: MetricDef[];
  /** The query's grouping, in the order names appear in the legend. */
  groupBy: GroupByKey[];
  width: BucketWidth;
  buckets: UsageBucket[];
  names: Partial<Record<NameKind, NameMap>>;
  /** Costs: collapse line items into the model they name. */
  costByModel?: boolean;
  /** Already interpolated; `{{label}}` placeholders are filled per series. */
  legendFormat?: string;
  refId: string;
  notices?: QueryResultMetaNotice[];
  /** Request paths, for the query inspector. */
  executed?: string[];
}

/** Label names of a dimension: `project_id` gives `project_id` (ID) and `project` (name). */
export const NAME_LABEL: Record<NameKind, string> = { project: 'project', user: 'user', apiKey: 'api_key' };

interface Series {
  labels: Record<string, string>;
  display: string[];
  values: Float64Array[];
  total: number;
  /** The last bucket with a result of this group: a second one there is a duplicate. */
  bucket: number;
}

/** Series by group, one map level per grouping value: no key is built per result (null stays apart from ""). */
interface Level extends Map<string | null, Level | Series> {}

function labelAndDisplay(
  dim: GroupByKey,
  value: string | null,
  names: FrameInput['names'],
  labels: Record<string, string>
): string {
  const def = DIMENSIONS[dim];
  const kind = def.nameKind;
  if (value === null) {
    // No ID to give, but a name: Grafana names a series with an empty label by its raw labels.
    const none = noneOf(dim);
    labels[dim] = kind ? '' : none;
    if (kind) {
      labels[NAME_LABEL[kind]] = none;
    }
    return none;
  }
  labels[dim] = value;
  if (!kind) {
    return dim === 'batch' ? (value === 'true' ? 'batch' : 'standard') : value;
  }
  const name = names[kind]?.get(value) ?? value;
  labels[NAME_LABEL[kind]] = name;
  return name;
}

/** The legend format filled with the series' labels; the plugin's own name when that leaves nothing to read. */
export function fillLegend(format: string, labels: Record<string, string>, fallback: string): string {
  const filled = format.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, key: string) => labels[key] ?? '');
  return filled.trim() ? filled : fallback;
}

export function buildFrames(input: FrameInput): DataFrame[] {
  const { buckets, metrics } = input;
  const n = buckets.length;
  const collapse = Boolean(input.costByModel);
  // With cost by model the line item is fetched but the series are per model.
  const dims = collapse ? input.groupBy.filter((d) => d !== 'line_item') : input.groupBy;
  // Series in the order first seen, which breaks ties in the final order.
  const series: Series[] = [];
  const root: Level = new Map();
  // With cost by model the model is the first grouping value.
  const depth = dims.length + (collapse ? 1 : 0);
  const models = new Map<string | null | undefined, string | null>();
  const modelOf = (lineItem: string | null | undefined): string | null => {
    let model = models.get(lineItem);
    if (model === undefined) {
      model = parseLineItem(lineItem).model;
      models.set(lineItem, model);
    }
    return model;
  };
  const partOf = (r: UsageResult, j: number, model: string | null): string | null =>
    collapse ? (j === 0 ? model : dimValue(r[dims[j - 1]])) : dimValue(r[dims[j]]);
  const create = (r: UsageResult, model: string | null, bucket: number): Series => {
    const labels: Record<string, string> = {};
    const display: string[] = [];
    if (collapse) {
      labels.model = model ?? NOT_PER_MODEL;
      display.push(labels.model);
    }
    dims.forEach((d) => display.push(labelAndDisplay(d, dimValue(r[d]), input.names, labels)));
    const s: Series = { labels, display, values: metrics.map(() => new Float64Array(n)), total: 0, bucket };
    series.push(s);
    return s;
  };

  for (let i = 0; i < n; i++) {
    const results = buckets[i].results;
    for (let k = 0; k < results.length; k++) {
      const r = results[k];
      const model = collapse ? modelOf(r.line_item) : null;
      let level = root;
      for (let j = 0; j < depth - 1; j++) {
        const part = partOf(r, j, model);
        let next = level.get(part) as Level | undefined;
        if (!next) {
          next = new Map();
          level.set(part, next);
        }
        level = next;
      }
      // An ungrouped query's one series is kept under "".
      const last = depth === 0 ? '' : partOf(r, depth - 1, model);
      let s = level.get(last) as Series | undefined;
      if (!s) {
        s = create(r, model, i);
        level.set(last, s);
      } else if (!collapse) {
        if (s.bucket === i) {
          throw new ApiError(
            'malformed',
            'The API returned the same group twice in one bucket; refusing to count it twice.'
          );
        }
        s.bucket = i;
      }
      for (let m = 0; m < metrics.length; m++) {
        const v = metricValue(r, metrics[m]);
        s.values[m][i] += v;
        if (m === 0) {
          s.total += v;
        }
      }
    }
  }

  const grouped = dims.length > 0 || collapse;
  if (!grouped && series.length === 0) {
    // Ungrouped queries always have their one series, zeros included.
    series.push({ labels: {}, display: [], values: metrics.map(() => new Float64Array(n)), total: 0, bucket: -1 });
  }

  const times = buckets.map((b) => b.start_time * 1000);
  const ordered = series.sort((a, b) => b.total - a.total || a.display.join(' ').localeCompare(b.display.join(' ')));
  const notices = [...(input.notices ?? [])];
  if (collapse) {
    notices.push({
      severity: 'info',
      text: 'Models are derived from cost line items (e.g. "gpt-4o-2024-08-06, output").',
    });
  }
  if (grouped && ordered.length === 0) {
    notices.push({ severity: 'info', text: `No ${input.def.label.toLowerCase()} usage in this time range.` });
  }

  const frames: DataFrame[] = [];
  for (const s of ordered) {
    metrics.forEach((metric, m) => {
      const labels = { ...s.labels, metric: metric.label };
      const parts = metrics.length > 1 || s.display.length === 0 ? [metric.label, ...s.display] : s.display;
      const displayName = input.legendFormat
        ? fillLegend(input.legendFormat, labels, parts.join(' · '))
        : parts.join(' · ');
      frames.push(
        createDataFrame({
          refId: input.refId,
          name: displayName,
          meta: frames.length === 0 ? meta(input, notices) : meta(input),
          fields: [
            {
              name: 'Time',
              type: FieldType.time,
              values: times,
              config: { interval: BUCKET_SECONDS[input.width] * 1000 },
            },
            {
              name: metric.label,
              type: FieldType.number,
              values: toArray(s.values[m]),
              labels: { ...s.labels },
              config: { unit: unitOf(metric, buckets), displayNameFromDS: displayName },
            },
          ],
        })
      );
    });
  }
  if (frames.length === 0) {
    frames.push(createDataFrame({ refId: input.refId, meta: meta(input, notices), fields: [] }));
  }
  return frames;
}

/** A plain array for the field: several times faster than Array.from, which goes through the iterator. */
function toArray(values: Float64Array): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = values[i];
  }
  return out;
}

function meta(input: FrameInput, notices?: QueryResultMetaNotice[]): QueryResultMeta {
  return {
    type: DataFrameType.TimeSeriesMulti,
    typeVersion: [0, 1],
    notices: notices && notices.length ? notices : undefined,
    executedQueryString: input.executed?.join('\n'),
    custom: { source: input.def.id, bucketWidth: input.width },
  };
}
