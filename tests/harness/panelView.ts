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
  FieldColorModeId,
  FieldConfig,
  FieldConfigOptionsRegistry,
  FieldConfigProperty,
  FieldConfigSource,
  FieldDisplay,
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
  ThresholdsMode,
  standardTransformersRegistry,
  transformDataFrame,
} from '@grafana/data';
import { lastValueFrom } from 'rxjs';

/** The parts of a saved panel that change what is drawn. */
export interface SavedPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos?: { w: number; h: number; x: number; y: number };
  /** A relative start of the panel's own (`now/d`), in place of the dashboard's. */
  timeFrom?: string;
  transformations?: DataTransformerConfig[];
  fieldConfig?: FieldConfigSource;
  options?: {
    legend?: { showLegend?: boolean; displayMode?: string; calcs?: string[]; sortBy?: string };
    reduceOptions?: { calcs: string[]; fields?: string; values?: boolean; limit?: number };
    [option: string]: unknown;
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

/** A panel's range at `nowMs`: its own relative start (`timeFrom`) to now, else the dashboard's range. */
export function panelRange(
  panel: SavedPanel,
  time: { from: string; to: string },
  nowMs: number
): { from: number; to: number } {
  return dashboardRange(panel.timeFrom ? { from: panel.timeFrom, to: 'now' } : time, nowMs);
}

/**
 * A registry entry's `transformation`: Grafana 12 holds the transformer itself, Grafana 13 a function that loads
 * it. This is both, so the same code runs with either line's @grafana/data.
 */
function registryTransformation<T extends object>(transformer: T): T {
  const load = () => Promise.resolve(transformer);
  for (const [key, value] of Object.entries(transformer)) {
    Object.defineProperty(load, key, { value, enumerable: true, configurable: true });
  }
  return load as unknown as T;
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
      transformation: registryTransformation(t),
      editor: () => null,
      imageDark: '',
      imageLight: '',
    }))
  );
}

/** The standard options that change a drawn value, name or color, processed as Grafana's option editors leave them. */
const STANDARD_OPTIONS = [
  FieldConfigProperty.Unit,
  FieldConfigProperty.Decimals,
  FieldConfigProperty.DisplayName,
  FieldConfigProperty.Min,
  FieldConfigProperty.Max,
  FieldConfigProperty.NoValue,
  FieldConfigProperty.Color,
  FieldConfigProperty.Thresholds,
  FieldConfigProperty.Mappings,
];

/** The standard options and the panel's own custom ones (`custom.*`), as its panel plugin registers them. */
function fieldConfigRegistry(fieldConfig: FieldConfigSource): FieldConfigOptionsRegistry {
  const custom = new Set([
    ...Object.keys(fieldConfig.defaults.custom ?? {}),
    ...(fieldConfig.overrides ?? []).flatMap((o) =>
      o.properties.filter((p) => p.id.startsWith('custom.')).map((p) => p.id.slice('custom.'.length))
    ),
  ]);
  const option = (id: string, path: string, isCustom: boolean) => ({
    id,
    path,
    name: id,
    isCustom,
    process: (value: unknown) => value,
    shouldApply: () => true,
    override: () => null,
    editor: () => null,
  });
  const registry = new FieldConfigOptionsRegistry();
  registry.setInit(
    () =>
      [
        ...STANDARD_OPTIONS.map((id) => option(id, id, false)),
        ...[...custom].map((path) => option(`custom.${path}`, path, true)),
      ] as never
  );
  return registry;
}

/** Grafana's default thresholds for a new panel, which a saved panel without its own keeps. */
const DEFAULT_THRESHOLDS = {
  mode: ThresholdsMode.Absolute,
  steps: [
    { value: -Infinity, color: 'green' },
    { value: 80, color: 'red' },
  ],
};

/** What each panel plugin sets where a saved panel sets nothing: time series by palette, the others by threshold. */
function pluginDefaults(type: string): FieldConfig {
  return {
    thresholds: DEFAULT_THRESHOLDS,
    color: { mode: type === 'timeseries' ? FieldColorModeId.PaletteClassic : FieldColorModeId.Thresholds },
    ...(type === 'timeseries'
      ? { custom: { lineWidth: 1, fillOpacity: 0, axisPlacement: 'auto', showPoints: 'auto', pointSize: 5 } }
      : {}),
  };
}

/** The panel's field config on top of its plugin's defaults, as Grafana loads a saved panel. */
function withPluginDefaults(panel: SavedPanel): FieldConfigSource {
  const saved: FieldConfigSource = panel.fieldConfig ?? { defaults: {}, overrides: [] };
  const defaults = pluginDefaults(panel.type);
  return {
    ...saved,
    defaults: {
      ...defaults,
      ...saved.defaults,
      custom: { ...defaults.custom, ...saved.defaults.custom },
    },
    overrides: saved.overrides ?? [],
  };
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

/** A panel's frames as its visualization gets them, and what went wrong on the way. */
export interface PreparedPanel {
  /** After the transformations and the field config: each field with its display processor and color. */
  frames: DataFrame[];
  fieldConfig: FieldConfigSource;
  problems: string[];
}

/** The panel's transformations, then its field config (with its plugin's defaults) and overrides. */
export async function preparePanel(panel: SavedPanel, data: DataFrame[]): Promise<PreparedPanel> {
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

  const fieldConfig = withPluginDefaults(panel);
  for (const rule of fieldConfig.overrides) {
    const matcher = fieldMatchers.get(rule.matcher.id).get(rule.matcher.options);
    const matched = frames.some((frame) => frame.fields.some((field) => matcher(field, frame, frames)));
    if (!matched) {
      problems.push(`the override for ${rule.matcher.id} "${rule.matcher.options}" matches no field`);
    }
  }

  const drawn = applyFieldOverrides({
    data: frames,
    fieldConfig,
    fieldConfigRegistry: fieldConfigRegistry(fieldConfig),
    replaceVariables,
    theme,
    timeZone: 'utc',
  });
  return { frames: drawn, fieldConfig, problems };
}

/** The values a stat, gauge or bar gauge panel shows, as Grafana reduces them. */
export function reducedValues(panel: SavedPanel, prepared: PreparedPanel): FieldDisplay[] {
  return getFieldDisplayValues({
    data: prepared.frames,
    reduceOptions: panel.options?.reduceOptions ?? { calcs: [ReducerID.lastNotNull] },
    fieldConfig: prepared.fieldConfig,
    replaceVariables: (s) => s,
    theme,
    timeZone: 'utc',
    sparkline: panel.type === 'stat' && panel.options?.graphMode !== 'none',
  });
}

export async function viewPanel(panel: SavedPanel, data: DataFrame[]): Promise<PanelView> {
  const prepared = await preparePanel(panel, data);
  const { frames: drawn, problems } = prepared;
  switch (panel.type) {
    case 'timeseries':
      return viewTimeSeries(panel, drawn, problems);
    case 'stat':
    case 'gauge':
    case 'bargauge':
      return viewReduced(panel, prepared, problems);
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

function viewReduced(panel: SavedPanel, prepared: PreparedPanel, problems: string[]): PanelView {
  const reduceOptions = panel.options?.reduceOptions ?? { calcs: [ReducerID.lastNotNull] };
  const shown = reducedValues(panel, prepared);
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
