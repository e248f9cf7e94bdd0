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
import { CompactBuckets, CompactRows, columnView, compactRows } from './compact';
import { NOT_PER_MODEL, parseLineItem } from './lineItems';
import { TopLimit, defaultTopNotice, otherText, topLimit } from './topN';
import { dimValue, metricValue, unitOf } from './values';

/** What series are collected from: the buckets and how they are grouped. */
export interface CollectInput {
  metrics: MetricDef[];
  /** The grouping sent, in the order names appear in the legend. */
  groupBy: GroupByKey[];
  /** Sent but not shown (e.g. the project of API keys, to know whose keys to name): summed over. */
  hidden?: GroupByKey[];
  buckets: UsageBucket[];
  /** Costs: collapse line items into the model they name. */
  costByModel?: boolean;
}

export interface FrameInput extends CollectInput {
  def: EndpointDef;
  width: BucketWidth;
  names: Partial<Record<NameKind, NameMap>>;
  /** Already interpolated; `{{label}}` placeholders are filled per series. */
  legendFormat?: string;
  /** The query's Top (see TimeSeriesFields.topN); unset applies the grouping's default. */
  topN?: number;
  refId: string;
  notices?: QueryResultMetaNotice[];
  /** Request paths, for the query inspector. */
  executed?: string[];
}

/** Label names of a dimension: `project_id` gives `project_id` (ID) and `project` (name). */
export const NAME_LABEL: Record<NameKind, string> = { project: 'project', user: 'user', apiKey: 'api_key' };

/**
 * Series by group, one map level per grouping value, the last holding the series' index: no key is built per result
 * (null stays apart from "").
 */
interface Level extends Map<string | null, Level | number> {}

/** The series of the buckets, summed per shown group, before any name is known: numbered in the order first seen. */
export interface Collected {
  count: number;
  /** The grouping values shown of each series, the model first with cost by model: parts[series * depth + j]. */
  parts: Array<string | null>;
  depth: number;
  /** The project each series came from when only one did (always so for a series per API key). */
  projects: Array<string | null>;
  /** Sums over the range, per series and metric: totals[series * metrics + metric]. */
  totals: Float64Array;
  /** The ranking: the totals of every metric summed (input plus output tokens, say). */
  scores: Float64Array;
  /** The grouping shown, without the model of cost by model. */
  dims: GroupByKey[];
  byModel: boolean;
  grouped: boolean;
  buckets: number;
  /**
   * Every result in the API's order, as numbers: its bucket, its series and its values (one per metric). Series are
   * ranked before any of them is laid out per bucket, and only the shown ones and Other are.
   */
  rows: Rows;
  /** Runs of buckets read from a kept window's columns, which are not copied into the rows. */
  runs: KeptRun[];
  /** The N-th largest score, by N: the projects to name and the frames ask for the same. */
  floors: Map<number, number>;
}

interface Rows {
  bucket: Uint32Array;
  series: Uint32Array;
  values: Float64Array;
}

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

/** A group given twice in one bucket, where each comes once: summing both would count it twice. */
function twiceInBucket(): ApiError {
  return new ApiError('malformed', 'The API returned the same group twice in one bucket; refusing to count it twice.');
}

/** The legend format filled with the series' labels; the plugin's own name when that leaves nothing to read. */
export function fillLegend(format: string, labels: Record<string, string>, fallback: string): string {
  const filled = format.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, key: string) => labels[key] ?? '');
  return filled.trim() ? filled : fallback;
}

export function buildFrames(input: FrameInput): DataFrame[] {
  return renderFrames(collectSeries(input), input);
}

export function collectSeries(input: CollectInput): Collected {
  boundTexts();
  const { buckets, metrics } = input;
  const n = buckets.length;
  const byModel = Boolean(input.costByModel);
  const hidden = input.hidden ?? [];
  // With cost by model the line item is fetched but the series are per model.
  const dims = input.groupBy.filter((d) => !(byModel && d === 'line_item') && !hidden.includes(d));
  // Results of one shown group may differ in what is summed over; otherwise a group comes once per bucket.
  const sums = byModel || dims.length < input.groupBy.length;
  const width = metrics.length;
  const fields = metrics.map((m) => (m.value === 'money' ? undefined : m.field));
  // One grouping value (the common case) needs one lookup per result, and kept windows are read from their columns.
  const single = dims.length === 1 && !byModel ? dims[0] : undefined;
  const viewKey = JSON.stringify([single, sums, metrics.map((m) => [m.field, m.value])]);
  // Buckets of one window come one after another: its view is looked up once per run of them.
  let lastWindow: CompactBuckets | undefined;
  let lastView: WindowView | undefined;
  const viewOf = (kept: CompactRows | undefined): WindowView | undefined => {
    if (single === undefined || !kept) {
      return undefined;
    }
    if (kept.c !== lastWindow) {
      lastWindow = kept.c;
      lastView = windowView(kept.c, viewKey, single, metrics, sums);
    }
    return lastView;
  };
  let read = 0;
  for (let i = 0; i < n; i++) {
    read += viewOf(compactRows(buckets[i])) ? 0 : buckets[i].results.length;
  }
  const rows: Rows = {
    bucket: new Uint32Array(read),
    series: new Uint32Array(read),
    values: new Float64Array(read * width),
  };
  // Series in the order first seen, field by field; totals and the last bucket with a result grown as series come.
  let count = 0;
  const parts: Array<string | null> = [];
  const projectOf: Array<string | null> = [];
  let totals = new Float64Array(64 * width);
  let lastBucket = new Int32Array(64);
  const root: Level = new Map();
  // With cost by model the model is the first grouping value.
  const depth = dims.length + (byModel ? 1 : 0);
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
    byModel ? (j === 0 ? model : dimValue(r[dims[j - 1]])) : dimValue(r[dims[j]]);
  const add = (project: string | null): number => {
    projectOf.push(project);
    if (count === lastBucket.length) {
      const grown = new Float64Array(totals.length * 2);
      grown.set(totals);
      totals = grown;
      const later = new Int32Array(count * 2);
      later.set(lastBucket);
      lastBucket = later;
    }
    lastBucket[count] = -1;
    return count++;
  };
  const create = (r: UsageResult, model: string | null, project: string | null): number => {
    for (let j = 0; j < depth; j++) {
      parts.push(partOf(r, j, model));
    }
    return add(project);
  };
  const ids = new Map<string | null, number>();
  // Series of kept windows' group values by their text's number; that of no value apart.
  let seriesOfText = new Int32Array(0);
  let seriesOfNone = -1;
  const runs: KeptRun[] = [];

  let row = 0;
  for (let i = 0; i < n; i++) {
    const start = compactRows(buckets[i]);
    const view = viewOf(start);
    if (view) {
      // The run of buckets from this window, summed per group value once and kept with the window.
      const first = i;
      const bounds = [start!.from];
      for (; i < n; i++) {
        const kept = compactRows(buckets[i]);
        if (!kept || kept.c !== view.c || kept.from !== bounds[bounds.length - 1]) {
          break;
        }
        bounds.push(kept.to);
      }
      i--;
      const run: KeptRun = { view, first, bounds, ids: new Int32Array(view.group.table.length).fill(-1) };
      const summed = runSums(view, bounds);
      const { present, projects } = summed;
      const textCodes = currentTextCodes(view);
      if (seriesOfText.length < texts.length) {
        const grown = new Int32Array(texts.length * 2).fill(-1);
        grown.set(seriesOfText);
        seriesOfText = grown;
      }
      for (let k = 0; k < present.length; k++) {
        const code = present[k];
        const project = projects[code]!;
        const text = textCodes[code];
        let id = text < 0 ? seriesOfNone : seriesOfText[text];
        if (id < 0) {
          // First seen in this query's kept windows: maybe already among the results read as objects.
          const part = view.parts[code];
          id = ids.get(part) ?? -1;
          if (id < 0) {
            parts.push(part);
            id = add(project);
            ids.set(part, id);
          }
          if (text < 0) {
            seriesOfNone = id;
          } else {
            seriesOfText[text] = id;
          }
        }
        run.ids[code] = id;
        const seen = projectOf[id];
        if (seen !== null && seen !== project) {
          projectOf[id] = null;
        }
        for (let m = 0; m < width; m++) {
          totals[id * width + m] += summed.totals[code * width + m];
        }
      }
      runs.push(run);
      continue;
    }
    const results = buckets[i].results;
    for (let k = 0; k < results.length; k++, row++) {
      const r = results[k];
      const project = dimValue(r.project_id);
      let id: number | undefined;
      if (single !== undefined) {
        const part = dimValue(r[single]);
        id = ids.get(part);
        if (id === undefined) {
          id = create(r, null, project);
          ids.set(part, id);
        }
      } else {
        const model = byModel ? modelOf(r.line_item) : null;
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
        id = level.get(last) as number | undefined;
        if (id === undefined) {
          id = create(r, model, project);
          level.set(last, id);
        }
      }
      if (lastBucket[id] === i && !sums) {
        throw twiceInBucket();
      }
      lastBucket[id] = i;
      const seen = projectOf[id];
      if (seen !== null && seen !== project) {
        projectOf[id] = null;
      }
      rows.bucket[row] = i;
      rows.series[row] = id;
      for (let m = 0; m < width; m++) {
        const field = fields[m];
        const raw = field === undefined ? undefined : r[field];
        // A plain finite count is read as it is; anything else the one rule for every reader decides.
        const v = typeof raw === 'number' && raw - raw === 0 ? raw : metricValue(r, metrics[m]);
        rows.values[row * width + m] = v;
        totals[id * width + m] += v;
      }
    }
  }

  const grouped = dims.length > 0 || byModel;
  if (!grouped && count === 0) {
    // Ungrouped queries always have their one series, zeros included.
    add(null);
  }
  const scores = new Float64Array(count);
  for (let id = 0; id < count; id++) {
    let score = 0;
    for (let m = 0; m < width; m++) {
      score += totals[id * width + m];
    }
    scores[id] = score;
  }
  return {
    count,
    parts,
    depth,
    projects: projectOf,
    totals: totals.subarray(0, count * width),
    scores,
    dims,
    byModel,
    grouped,
    buckets: n,
    rows,
    runs,
    floors: new Map(),
  };
}

/** A kept window's columns as collectSeries reads them. */
interface WindowView {
  c: CompactBuckets;
  /** Distinct group values; `canonical` gives, for each, the first that reads as the same value. */
  group: { table: unknown[]; index?: ArrayLike<number> };
  canonical: Uint32Array;
  /** The group value each distinct value reads as (dimValue), read once: as the shared string of its text. */
  parts: Array<string | null>;
  /** Each group value's text number (-1: no value), of the numbering `textsOf` says. */
  textCodes: Int32Array;
  textsOf: number;
  project: { table: unknown[]; index?: ArrayLike<number> };
  /** The project of each distinct project value. */
  projects: Array<string | null>;
  /** Each metric's numbers per row (NaN: none, a 0), or where they are not numbers, how metricValue reads a row. */
  numbers: Array<ArrayLike<number> | undefined>;
  readers: Array<((row: number) => number) | undefined>;
  width: number;
  /** The results of one shown group may be several in a bucket (a grouping summed over). */
  sums: boolean;
  /** Sums of runs of rows, by their first and last row. */
  summed: Map<string, RunSums>;
}

/** Buckets first… of a query read from one kept window: bucket first + k holds rows bounds[k] to bounds[k + 1]. */
interface KeptRun {
  view: WindowView;
  first: number;
  bounds: number[];
  /** The series of each distinct group value of the window, -1 if none of the run's rows holds it. */
  ids: Int32Array;
}

/** A run of rows summed per canonical group value: its metrics, and its project (null: several; undefined: no row). */
interface RunSums {
  totals: Float64Array;
  projects: Array<string | null | undefined>;
  /** The canonical group values some row of the run holds, in the window's order. */
  present: Uint32Array;
}

/** Views of kept windows, per grouping, metrics and summing (the key): they live as long as the window is kept. */
const windowViews = new WeakMap<CompactBuckets, Map<string, WindowView | undefined>>();

/** The window read from its columns, or undefined if a field holds what only a result object can tell. */
function windowView(
  c: CompactBuckets,
  key: string,
  dim: GroupByKey,
  metrics: MetricDef[],
  sums: boolean
): WindowView | undefined {
  let views = windowViews.get(c);
  if (!views) {
    views = new Map();
    windowViews.set(c, views);
  }
  if (!views.has(key)) {
    views.set(key, newWindowView(c, dim, metrics, sums));
  }
  return views.get(key);
}

function newWindowView(
  c: CompactBuckets,
  dim: GroupByKey,
  metrics: MetricDef[],
  sums: boolean
): WindowView | undefined {
  const group = columnView(c, dim);
  const project = columnView(c, 'project_id');
  if (group?.kind !== 'values' || project?.kind !== 'values') {
    return undefined;
  }
  const numbers: WindowView['numbers'] = [];
  const readers: WindowView['readers'] = [];
  for (const metric of metrics) {
    const view = columnView(c, metric.field);
    if (view?.kind === 'values') {
      // The one rule for a value (metricValue) decides each distinct value when a row first holds it.
      const { table, index } = view;
      const known = new Float64Array(table.length).fill(NaN);
      numbers.push(undefined);
      readers.push((row) => {
        const k = index ? index[row] : 0;
        if (Number.isNaN(known[k])) {
          known[k] = metricValue({ [metric.field]: table[k] } as unknown as UsageResult, metric);
        }
        return known[k];
      });
    } else if (view?.kind === (metric.value === 'money' ? 'amounts' : 'numbers')) {
      // NaN: a result without the count, which counts as 0 (an amount is never NaN).
      numbers.push(view!.values);
      readers.push(undefined);
    } else {
      return undefined;
    }
  }
  // Values that read alike (null and "", say) are one group: the first of them stands for all.
  const size = group.table.length;
  const parts = new Array<string | null>(size);
  const textCodes = new Int32Array(size);
  const canonical = new Uint32Array(size);
  const firstOfText = new Map<number, number>();
  let firstOfNone = -1;
  for (let code = 0; code < size; code++) {
    const part = dimValue(group.table[code]);
    const text = part === null ? -1 : textCode(part);
    parts[code] = part === null ? null : texts[text];
    textCodes[code] = text;
    if (text < 0) {
      firstOfNone = firstOfNone < 0 ? code : firstOfNone;
      canonical[code] = firstOfNone;
    } else {
      const first = firstOfText.get(text);
      canonical[code] = first ?? code;
      if (first === undefined) {
        firstOfText.set(text, code);
      }
    }
  }
  return {
    c,
    group,
    canonical,
    parts,
    textCodes,
    textsOf: numbering,
    project,
    projects: project.table.map((v) => sharedText(dimValue(v))),
    numbers,
    readers,
    width: metrics.length,
    sums,
    summed: new Map(),
  };
}

/**
 * Texts of kept windows (group values, projects) numbered, the same for every window's view: a series is found again
 * in the next window by number, and one text is one string, which compares at once. Numbered afresh past a bound.
 */
const MAX_TEXTS = 1 << 16;
let textNumbers = new Map<string, number>();
let texts: string[] = [];
/** Which numbering is current. */
let numbering = 0;

function textCode(text: string): number {
  let code = textNumbers.get(text);
  if (code === undefined) {
    code = texts.length;
    textNumbers.set(text, code);
    texts.push(text);
  }
  return code;
}

function sharedText(text: string | null): string | null {
  return text === null ? null : texts[textCode(text)];
}

/** Starts the numbering afresh when it has grown past its bound; views numbered before renumber when next read. */
function boundTexts(): void {
  if (texts.length > MAX_TEXTS) {
    textNumbers = new Map();
    texts = [];
    numbering++;
  }
}

/** The view's text numbers in the current numbering. */
function currentTextCodes(view: WindowView): Int32Array {
  if (view.textsOf !== numbering) {
    view.textCodes = Int32Array.from(view.parts, (part) => (part === null ? -1 : textCode(part)));
    view.textsOf = numbering;
  }
  return view.textCodes;
}

/** A metric's value at a row of the window; NaN: the row has none (a 0). */
function metricAt(view: WindowView, m: number): (row: number) => number {
  const column = view.numbers[m];
  return column ? (row) => column[row] : view.readers[m]!;
}

/** Scratch for runSums, which runs to its end before another starts. */
let scratchCodes = new Uint32Array(0);

/** The run's rows summed per canonical group value, kept with the window for its latest run. */
function runSums(view: WindowView, bounds: number[]): RunSums {
  const from = bounds[0];
  const to = bounds[bounds.length - 1];
  const key = `${from} ${to}`;
  const known = view.summed.get(key);
  if (known) {
    return known;
  }
  const { canonical, projects, width } = view;
  const groups = view.group.index;
  const owners = view.project.index;
  const codes = canonical.length;
  const project = new Array<string | null | undefined>(codes);
  const lastBucket = new Int32Array(codes).fill(-1);
  // Each row's canonical group value, read once for every metric.
  if (scratchCodes.length < to - from) {
    scratchCodes = new Uint32Array(to - from);
  }
  const rowCodes = scratchCodes;
  for (let k = 0; k + 1 < bounds.length; k++) {
    for (let at = bounds[k]; at < bounds[k + 1]; at++) {
      const code = canonical[groups ? groups[at] : 0];
      if (lastBucket[code] === k && !view.sums) {
        throw twiceInBucket();
      }
      lastBucket[code] = k;
      rowCodes[at - from] = code;
      const owner = projects[owners ? owners[at] : 0];
      const seen = project[code];
      if (seen === undefined) {
        project[code] = owner;
      } else if (seen !== null && seen !== owner) {
        project[code] = null;
      }
    }
  }
  const totals = new Float64Array(codes * width);
  for (let m = 0; m < width; m++) {
    const column = view.numbers[m];
    const read = metricAt(view, m);
    for (let at = from; at < to; at++) {
      const v = column ? column[at] : read(at);
      if (v === v) {
        totals[rowCodes[at - from] * width + m] += v;
      }
    }
  }
  const present: number[] = [];
  for (let code = 0; code < codes; code++) {
    if (project[code] !== undefined) {
      present.push(code);
    }
  }
  const summed = { totals, projects: project, present: Uint32Array.from(present) };
  // One run per window is kept: runs cut at other starts would otherwise pile up beside the cache's budget.
  view.summed.clear();
  view.summed.set(key, summed);
  return summed;
}

/** The run's rows added, bucket by bucket, to the slots of their series: dense[slots[series] * width + metric]. */
function layOut(run: KeptRun, slotOf: Uint32Array, dense: number[][]): void {
  const { view, bounds, ids } = run;
  const { canonical, width } = view;
  const groups = view.group.index;
  // Every row of the run holds a group value of a series.
  const slots = new Int32Array(canonical.length);
  for (let code = 0; code < slots.length; code++) {
    const id = ids[canonical[code]];
    slots[code] = id < 0 ? -1 : slotOf[id] * width;
  }
  for (let m = 0; m < width; m++) {
    const column = view.numbers[m];
    const read = metricAt(view, m);
    for (let k = 0; k + 1 < bounds.length; k++) {
      const b = run.first + k;
      for (let at = bounds[k]; at < bounds[k + 1]; at++) {
        const v = column ? column[at] : read(at);
        if (v === v) {
          dense[slots[groups ? groups[at] : 0] + m][b] += v;
        }
      }
    }
  }
}

/**
 * The projects of the series that may be shown: with a Top, only those whose score reaches the N-th largest (names
 * break ties, so every tied series may be shown). A series of one API key has one project.
 */
export function shownProjects(collected: Collected, topN: unknown): string[] {
  const { count, scores } = collected;
  const top = collected.grouped ? topLimit(topN, collected.dims, count) : { n: 0 };
  const floor = top.n > 0 && count > top.n ? nthLargestScore(collected, top.n) : -Infinity;
  const projects = new Set<string>();
  for (let id = 0; id < count; id++) {
    const project = collected.projects[id];
    if (scores[id] >= floor && project !== null) {
      projects.add(project);
    }
  }
  return [...projects];
}

function nthLargestScore(collected: Collected, n: number): number {
  let floor = collected.floors.get(n);
  if (floor === undefined) {
    floor = collected.scores.slice().sort()[collected.count - n];
    collected.floors.set(n, floor);
  }
  return floor;
}

/** Named series: labels with IDs and names, and the legend's parts. */
interface Named {
  labels: Record<string, string>;
  display: string[];
  /** The display joined, for ties. */
  name: string;
  /** Index into the collected series. */
  id: number;
  score: number;
}

export function renderFrames(collected: Collected, input: FrameInput): DataFrame[] {
  const { buckets, metrics } = input;
  const { dims, byModel, grouped, rows } = collected;
  const n = collected.buckets;
  const width = metrics.length;
  const name = (id: number): Named => {
    const parts = collected.parts.slice(id * collected.depth, (id + 1) * collected.depth);
    const labels: Record<string, string> = {};
    const display: string[] = [];
    if (byModel) {
      labels.model = parts[0] ?? NOT_PER_MODEL;
      display.push(labels.model);
    }
    const offset = byModel ? 1 : 0;
    dims.forEach((d, j) => display.push(labelAndDisplay(d, parts[j + offset], input.names, labels)));
    return { labels, display, name: display.join(' '), id, score: collected.scores[id] };
  };

  const { count } = collected;
  const top: TopLimit = grouped ? topLimit(input.topN, dims, count) : { n: 0, byDefault: false };
  const cut = top.n > 0 && count > top.n;
  // One ranking for every metric, so each metric shows the same series. Only series that can be among the N
  // largest are named and sorted; the rest is summed whatever its order.
  const floor = cut ? nthLargestScore(collected, top.n) : -Infinity;
  const candidates: Named[] = [];
  for (let id = 0; id < count; id++) {
    if (collected.scores[id] >= floor) {
      candidates.push(name(id));
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  const shown = cut ? candidates.slice(0, top.n) : candidates;

  const notices = [...(input.notices ?? [])];
  if (cut && top.byDefault) {
    notices.push(defaultTopNotice(top.n, count));
  }
  if (byModel) {
    notices.push({
      severity: 'info',
      text: 'Models are derived from cost line items (e.g. "gpt-4o-2024-08-06, output").',
    });
  }
  if (grouped && count === 0) {
    notices.push({ severity: 'info', text: `No ${input.def.label.toLowerCase()} usage in this time range.` });
  }

  // Each shown series and Other get a slot of one value per bucket and metric; every result adds to its slot.
  const slots = shown.length + (cut ? 1 : 0);
  const slotOf = new Uint32Array(count).fill(cut ? shown.length : 0);
  shown.forEach((s, k) => (slotOf[s.id] = k));
  const dense: number[][] = [];
  for (let k = 0; k < slots * width; k++) {
    dense.push(new Array<number>(n).fill(0));
  }
  for (let row = 0; row < rows.series.length; row++) {
    const base = slotOf[rows.series[row]] * width;
    const b = rows.bucket[row];
    for (let m = 0; m < width; m++) {
      dense[base + m][b] += rows.values[row * width + m];
    }
  }
  collected.runs.forEach((run) => layOut(run, slotOf, dense));
  const valuesOf = (slot: number, m: number) => dense[slot * width + m];
  const frames: DataFrame[] = [];
  const times = buckets.map((b) => b.start_time * 1000);
  const units = metrics.map((metric) => unitOf(metric, buckets));
  const push = (s: Pick<Named, 'labels' | 'display'>, m: number, values: number[]) => {
    const metric = metrics[m];
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
            values,
            labels: { ...s.labels },
            config: { unit: units[m], displayNameFromDS: displayName },
          },
        ],
      })
    );
  };
  if (!cut) {
    shown.forEach((s, k) => metrics.forEach((_, m) => push(s, m, valuesOf(k, m))));
  } else {
    const other = otherLabels(shown[0].labels, otherText(count - top.n, dims, byModel));
    const rest = { labels: other, display: [other[Object.keys(other)[0]]] };
    metrics.forEach((_, m) => {
      shown.forEach((s, k) => push(s, m, valuesOf(k, m)));
      push(rest, m, valuesOf(shown.length, m));
    });
  }
  if (frames.length === 0) {
    frames.push(createDataFrame({ refId: input.refId, meta: meta(input, notices), fields: [] }));
  }
  return frames;
}

/** Labels of the summed rest: every grouping label says what it holds, e.g. `user="Other (57 users)"`. */
function otherLabels(labels: Record<string, string>, text: string): Record<string, string> {
  return Object.fromEntries(Object.keys(labels).map((k) => [k, text]));
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
