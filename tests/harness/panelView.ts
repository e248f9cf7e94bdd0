/**
 * What Grafana does to a panel's query results before it draws them, with the real @grafana/data: the panel's
 * transformations, its field config defaults and overrides, display names across all of the panel's frames,
 * the reducers of stat, gauge and bar gauge panels, and the legend calcs of time series panels. `viewPanel`
 * returns what a person would see and every way it falls short.
 */
import {
  DataFrame,
  DataTransformerConfig,
  Field,
  FieldConfigOptionsRegistry,
  FieldConfigProperty,
  FieldConfigSource,
  FieldType,
  ReducerID,
  applyFieldOverrides,
  createTheme,
  dateMath,
  dateTime,
  fieldMatchers,
  fieldReducers,
  getFieldDisplayName,
  getFieldDisplayValues,
  reduceField,
  standardTransformers,
  standardTransformersRegistry,
  transformDataFrame,
} from '@grafana/data';
import { lastValueFrom } from 'rxjs';

/** The parts of a saved panel that change what is drawn. */
export interface SavedPanel {
  id: number;
  type: string;
  title: string;
  gridPos?: { w: number; h: number; x: number; y: number };
  transformations?: DataTransformerConfig[];
  fieldConfig?: FieldConfigSource;
  options?: {
    legend?: { showLegend?: boolean; displayMode?: string; calcs?: string[]; sortBy?: string };
    reduceOptions?: { calcs: string[]; fields?: string; values?: boolean; limit?: number };
  };
}

/** A drawn series or value: its name, its unit and, for reduced panels, the number shown. */
export interface DrawnItem {
  name: string;
  unit?: string;
  value?: number;
  /** The text shown instead of a missing value. */
  noValue?: string;
  /** Legend calcs of a time series, by reducer id. */
  calcs?: Record<string, unknown>;
}

export interface PanelView {
  items: DrawnItem[];
  /** Table panels: the columns of the first frame and its row count. */
  columns?: string[];
  rows?: number;
  problems: string[];
}

/** The screen Grafana is assumed to be drawn on; a panel's max data points is its width in pixels. */
export const SCREEN_WIDTH_PX = 1920;
/** More series than this in one time series panel cannot be told apart. */
export const MAX_SERIES = 50;

/** Max data points Grafana sends for a panel `w` grid columns wide (24 columns span the screen, less padding). */
export function maxDataPointsOf(panel: SavedPanel): number {
  const w = panel.gridPos?.w ?? 24;
  return Math.floor((SCREEN_WIDTH_PX * w) / 24) - 16;
}

/** A dashboard's time range at `nowMs`, in Grafana's own date math (`now-30d/d` is whole days back). */
export function dashboardRange(time: { from: string; to: string }, nowMs: number): { from: number; to: number } {
  const now = dateTime(nowMs).utc();
  const at = (text: string, roundUp: boolean) => {
    const t = dateMath.parseDateMath(text.replace(/^now/, ''), dateTime(now), roundUp);
    if (!t) {
      throw new Error(`Unreadable time "${text}"`);
    }
    return t.valueOf();
  };
  return { from: at(time.from, false), to: at(time.to, true) };
}

let registered = false;
/** Grafana registers its transformations at start; the core ones come from @grafana/data. */
function registerTransformers() {
  if (registered) {
    return;
  }
  registered = true;
  // The list names some transformers twice, under their aliases.
  const unique = new Map(Object.values(standardTransformers).map((t) => [t.id, t]));
  standardTransformersRegistry.setInit(() =>
    [...unique.values()].map((t) => ({
      id: t.id,
      aliasIds: t.aliasIds,
      name: t.name,
      description: t.description,
      transformation: t,
      editor: () => null,
      imageDark: '',
      imageLight: '',
    }))
  );
}

/** The standard options that change a drawn value or name, processed as Grafana's option editors leave them. */
function fieldConfigRegistry(): FieldConfigOptionsRegistry {
  const registry = new FieldConfigOptionsRegistry();
  const ids = [
    FieldConfigProperty.Unit,
    FieldConfigProperty.Decimals,
    FieldConfigProperty.DisplayName,
    FieldConfigProperty.Min,
    FieldConfigProperty.Max,
    FieldConfigProperty.NoValue,
  ];
  registry.setInit(
    () =>
      ids.map((id) => ({
        id,
        path: id,
        name: id,
        process: (value: unknown) => value,
        shouldApply: () => true,
        override: () => null,
        editor: () => null,
      })) as never
  );
  return registry;
}

const theme = createTheme();

/** The reducer's legend title, e.g. `sum` → "Total": what `legend.sortBy` names. */
function calcTitle(id: string): string {
  return fieldReducers.getIfExists(id)?.name ?? id;
}

function isCumulative(name: string): boolean {
  return /cumulative/i.test(name);
}

function isPercent(unit?: string): boolean {
  return unit === 'percent' || unit === 'percentunit';
}

function hasValue(field: Field): boolean {
  return field.values.some((v) => v !== null && v !== undefined && !Number.isNaN(v));
}

/** Checks a list of drawn names: each readable, none twice. */
function checkNames(names: string[], problems: string[]) {
  const seen = new Set<string>();
  for (const name of names) {
    if (!name.trim()) {
      problems.push('a series has an empty name');
    } else if (/[{}]|="/.test(name)) {
      problems.push(`"${name}" shows raw label syntax`);
    }
    if (seen.has(name)) {
      problems.push(`"${name}" appears twice`);
    }
    seen.add(name);
  }
}

export async function viewPanel(panel: SavedPanel, data: DataFrame[]): Promise<PanelView> {
  registerTransformers();
  const problems: string[] = [];
  const replaceVariables = (s: string) => s;

  let frames = data;
  if (panel.transformations?.length) {
    frames = await lastValueFrom(transformDataFrame(panel.transformations, data, { interpolate: replaceVariables }));
    if (!frames.some((f) => f.fields.length > 0)) {
      problems.push(`its transformations (${panel.transformations.map((t) => t.id).join(', ')}) leave no field`);
    }
  }

  const fieldConfig: FieldConfigSource = panel.fieldConfig ?? { defaults: {}, overrides: [] };
  for (const rule of fieldConfig.overrides ?? []) {
    const matcher = fieldMatchers.get(rule.matcher.id).get(rule.matcher.options);
    const matched = frames.some((frame) => frame.fields.some((field) => matcher(field, frame, frames)));
    if (!matched) {
      problems.push(`the override for ${rule.matcher.id} "${rule.matcher.options}" matches no field`);
    }
  }

  const drawn = applyFieldOverrides({
    data: frames,
    fieldConfig,
    fieldConfigRegistry: fieldConfigRegistry(),
    replaceVariables,
    theme,
    timeZone: 'utc',
  });

  switch (panel.type) {
    case 'timeseries':
      return viewTimeSeries(panel, drawn, problems);
    case 'stat':
    case 'gauge':
    case 'bargauge':
      return viewReduced(panel, drawn, fieldConfig, problems);
    case 'table':
      return viewTable(drawn, problems);
    default:
      problems.push(`panel type ${panel.type} is not checked`);
      return { items: [], problems };
  }
}

function viewTimeSeries(panel: SavedPanel, frames: DataFrame[], problems: string[]): PanelView {
  const legend = panel.options?.legend ?? {};
  const calcs = legend.calcs ?? [];
  const items: DrawnItem[] = [];
  const bare: string[] = [];
  const fieldNames: string[] = [];
  // As the time series panel prepares its frames: only frames with a time field, only their number fields.
  for (const frame of frames) {
    if (!frame.fields.some((f) => f.type === FieldType.time)) {
      continue;
    }
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) {
        continue;
      }
      const name = field.state?.displayName ?? getFieldDisplayName(field, frame, frames);
      const unit = field.config.unit;
      if (!hasValue(field)) {
        continue;
      }
      items.push({ name, unit, calcs: calcs.length ? reduceField({ field, reducers: calcs }) : {} });
      if (name === field.name) {
        bare.push(name);
      }
      fieldNames.push(field.name);
      for (const calc of calcs) {
        if (calc === ReducerID.sum && isPercent(unit)) {
          problems.push(`the legend totals "${name}", a percentage`);
        }
        if (calc === ReducerID.sum && isCumulative(name)) {
          problems.push(`the legend totals "${name}", a cumulative line`);
        }
      }
    }
  }
  if (items.length === 0) {
    problems.push('no series with data');
  }
  // One of several series of the same field named by the field alone ("Cost") does not say which group it is.
  for (const name of bare) {
    if (fieldNames.filter((n) => n === name).length > 1) {
      problems.push(`"${name}" names the field, not the series`);
    }
  }
  if (items.length > MAX_SERIES) {
    problems.push(`${items.length} series, more than ${MAX_SERIES} can be told apart`);
  }
  // The panel's unit, when it names one, is the axis; a series in another unit adds an axis nobody asked for.
  const panelUnit = panel.fieldConfig?.defaults?.unit;
  if (panelUnit && panelUnit !== 'short') {
    for (const item of items.filter((i) => i.unit && i.unit !== panelUnit)) {
      problems.push(`"${item.name}" is in ${item.unit}, not the panel's ${panelUnit}`);
    }
  }
  if (legend.sortBy && !calcs.some((c) => calcTitle(c) === legend.sortBy)) {
    problems.push(`the legend sorts by "${legend.sortBy}", which it does not show (${calcs.join(', ') || 'no calcs'})`);
  }
  checkNames(
    items.map((i) => i.name),
    problems
  );
  return { items, problems };
}

function viewReduced(
  panel: SavedPanel,
  frames: DataFrame[],
  fieldConfig: FieldConfigSource,
  problems: string[]
): PanelView {
  const reduceOptions = panel.options?.reduceOptions ?? { calcs: [ReducerID.lastNotNull] };
  const shown = getFieldDisplayValues({
    data: frames,
    reduceOptions,
    fieldConfig,
    replaceVariables: (s) => s,
    theme,
    timeZone: 'utc',
  });
  // With no matching field, Grafana shows its "No data" placeholder, a value with no field behind it.
  const items: DrawnItem[] = shown
    .filter((v) => v.view !== undefined)
    .map((v) => ({
      name: v.display.title ?? '',
      unit: v.field.unit,
      value: v.display.numeric,
      noValue: v.field.noValue,
    }));
  if (items.length === 0) {
    problems.push(
      reduceOptions.fields ? `its fields filter ${reduceOptions.fields} matches no field` : 'no value to show'
    );
  }
  for (const item of items) {
    // A value with its own "no value" text (e.g. "Not this month") says why there is no number.
    if (!Number.isFinite(item.value) && !item.noValue) {
      problems.push(`"${item.name}" reduces to ${item.value}, not a number`);
    }
  }
  checkNames(
    items.map((i) => i.name),
    problems
  );
  return { items, problems };
}

function viewTable(frames: DataFrame[], problems: string[]): PanelView {
  const frame = frames[0];
  const columns = frame ? frame.fields.map((f) => f.state?.displayName ?? getFieldDisplayName(f, frame, frames)) : [];
  const rows = frame?.length ?? 0;
  if (rows === 0) {
    problems.push('the table has no rows');
  }
  checkNames(columns, problems);
  // Rows are read by their first string column (with the time, when the table has one): no two alike.
  const labelColumn = frame?.fields.find((f) => f.type === FieldType.string);
  const timeColumn = frame?.fields.find((f) => f.type === FieldType.time);
  if (labelColumn) {
    const rowNames = labelColumn.values.map((v) => String(v ?? ''));
    checkNames(
      timeColumn ? rowNames.map((n, i) => `${n} at ${new Date(timeColumn.values[i]).toISOString()}`) : rowNames,
      problems
    );
  }
  return { items: columns.map((name) => ({ name })), columns, rows, problems };
}
