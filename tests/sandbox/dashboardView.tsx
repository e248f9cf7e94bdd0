/**
 * A bundled dashboard drawn on its grid with Grafana's own visualization components from @grafana/ui: each
 * panel's targets run through the plugin's DataSource with the dashboard's variables at their defaults, then
 * through what Grafana applies before drawing (tests/harness/panelView.ts), then into the component of the
 * panel's type inside Grafana's panel chrome. Each panel's container carries what it drew, for the tests.
 */
import React, { useEffect, useState } from 'react';
import {
  DataFrame,
  DataQueryResponse,
  DataSourceApi,
  FieldDisplay,
  FieldType,
  GrafanaTheme2,
  LoadingState,
  TimeRange,
  VizOrientation,
  dateTime,
  getDisplayValueAlignmentFactors,
  rangeUtil,
} from '@grafana/data';
import { BarGaugeNamePlacement } from '@grafana/schema';
import * as ui from '@grafana/ui';
import { Observable, lastValueFrom } from 'rxjs';

import { DashboardPanel, SavedDashboard } from '../harness/dashboard';
import { panelRequest } from '../harness/panelRequest';
import {
  PreparedPanel,
  maxDataPointsOf,
  panelRange,
  preparePanel,
  reducedValues,
  viewPanel,
} from '../harness/panelView';
import { OpenAIQuery } from '../../src/types';

const {
  BarGauge,
  BigValue,
  Icon,
  PanelChrome,
  Table,
  Text,
  TimeSeries,
  VizRepeater,
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
} = ui;
// Grafana 13 draws gauges with a radial gauge that @grafana/ui does not export, and drops the old `Gauge` from its
// exports: where it is missing, the closest exported component, a bar gauge, stands in.
const Gauge = (ui as Partial<typeof ui>).Gauge;

/** Grafana's dashboard grid: 24 columns, 30 px rows, 8 px between panels. */
const COLUMNS = 24;
const ROW_HEIGHT = 30;
const MARGIN = 8;
const PADDING = 16;

export interface PanelResult {
  panel: DashboardPanel;
  range: TimeRange;
  prepared?: PreparedPanel;
  problems: string[];
  /** Series, values or columns drawn. */
  items: number;
  /** The texts shown in place of missing values, by design ("Not this month"). */
  noValues: string[];
  error?: string;
}

type AnyDataSource = DataSourceApi<any, any>;

/** Runs one panel as the dashboard would at `nowMs`, and checks what it would draw. */
export async function runPanel(
  ds: AnyDataSource,
  dashboard: SavedDashboard,
  panel: DashboardPanel,
  nowMs: number
): Promise<PanelResult> {
  const { from, to } = panelRange(panel, dashboard.time, nowMs);
  const range: TimeRange = { from: dateTime(from), to: dateTime(to), raw: { from: dateTime(from), to: dateTime(to) } };
  try {
    const targets = (panel.targets ?? []).filter((t) => !t.hide) as OpenAIQuery[];
    const out = ds.query(panelRequest(targets, from / 1000, to / 1000, maxDataPointsOf(panel), `panel-${panel.id}`));
    const response: DataQueryResponse = out instanceof Observable ? await lastValueFrom(out) : await out;
    const errors = (response.errors ?? []).map((e) => e.message ?? String(e));
    const data = response.data as DataFrame[];
    const [prepared, view] = await Promise.all([preparePanel(panel, data), viewPanel(panel, data)]);
    const noValues = view.items.filter((i) => !Number.isFinite(i.value) && i.noValue).map((i) => i.noValue!);
    return { panel, range, prepared, problems: [...errors, ...view.problems], items: view.items.length, noValues };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { panel, range, problems: [error], items: 0, noValues: [], error };
  }
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

function box(gridPos: { x: number; y: number; w: number; h: number }, gridWidth: number): Box {
  const column = (gridWidth - MARGIN * (COLUMNS - 1)) / COLUMNS;
  return {
    left: gridPos.x * (column + MARGIN),
    top: gridPos.y * (ROW_HEIGHT + MARGIN),
    width: gridPos.w * column + (gridPos.w - 1) * MARGIN,
    height: gridPos.h * ROW_HEIGHT + (gridPos.h - 1) * MARGIN,
  };
}

/** The visualization of the panel's type, as its panel plugin renders it. */
function Visualization({
  result,
  width,
  height,
  theme,
}: {
  result: PanelResult;
  width: number;
  height: number;
  theme: GrafanaTheme2;
}) {
  const { panel, prepared, range } = result;
  const options = (panel.options ?? {}) as Record<string, any>;
  if (!prepared || result.items === 0) {
    return (
      <div data-testid="panel-no-data" style={{ display: 'grid', placeItems: 'center', height }}>
        {result.error ?? 'No data'}
      </div>
    );
  }
  const frames = prepared.frames;
  switch (panel.type) {
    case 'timeseries':
      return (
        <TimeSeries
          frames={frames.filter((f) => f.fields.some((x) => x.type === FieldType.time))}
          width={width}
          height={height}
          timeRange={range}
          timeZone="utc"
          legend={{ showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [], ...options.legend }}
          options={options}
        />
      );
    case 'table':
      return (
        <Table
          data={frames[0]}
          width={width}
          height={height}
          cellHeight={options.cellHeight}
          footerOptions={options.footer}
          initialSortBy={options.sortBy}
        />
      );
    case 'stat':
    case 'gauge':
    case 'bargauge':
      return <Repeated result={result} prepared={prepared} width={width} height={height} theme={theme} />;
    default:
      return <div>Panel type {panel.type} is not drawn here</div>;
  }
}

/** Stat, gauge and bar gauge panels: one component per reduced value, laid out by VizRepeater. */
function Repeated({
  result,
  prepared,
  width,
  height,
  theme,
}: {
  result: PanelResult;
  prepared: PreparedPanel;
  width: number;
  height: number;
  theme: GrafanaTheme2;
}) {
  const { panel } = result;
  const options = (panel.options ?? {}) as Record<string, any>;
  const values = reducedValues(panel, prepared);
  const isBars = panel.type === 'bargauge' || !Gauge;
  const orientation: VizOrientation =
    panel.type === 'bargauge' || isBars ? (options.orientation ?? VizOrientation.Horizontal) : VizOrientation.Auto;
  return (
    <VizRepeater<FieldDisplay, ReturnType<typeof getDisplayValueAlignmentFactors>>
      source={prepared.frames}
      getValues={() => values}
      getAlignmentFactors={(v) => getDisplayValueAlignmentFactors(v)}
      renderCounter={0}
      width={width}
      height={height}
      orientation={orientation}
      itemSpacing={isBars ? 8 : 3}
      autoGrid={panel.type !== 'bargauge'}
      minVizHeight={options.minVizHeight}
      maxVizHeight={options.maxVizHeight}
      renderValue={({ value, width: w, height: h, alignmentFactors, count, orientation: o }) => {
        if (panel.type === 'stat') {
          return (
            <BigValue
              value={value.display}
              sparkline={value.sparkline}
              colorMode={options.colorMode ?? BigValueColorMode.Value}
              graphMode={options.graphMode ?? BigValueGraphMode.Area}
              justifyMode={options.justifyMode ?? BigValueJustifyMode.Auto}
              textMode={options.textMode ?? BigValueTextMode.Auto}
              alignmentFactors={alignmentFactors}
              text={options.text}
              count={count}
              theme={theme}
              width={w}
              height={h}
            />
          );
        }
        if (!isBars && Gauge) {
          return (
            <Gauge
              value={value.display}
              field={value.field}
              showThresholdLabels={Boolean(options.showThresholdLabels)}
              showThresholdMarkers={options.showThresholdMarkers !== false}
              orientation={o}
              text={options.text}
              theme={theme}
              width={w}
              height={h}
            />
          );
        }
        return (
          <BarGauge
            value={value.display}
            field={value.field}
            display={value.view?.getFieldDisplayProcessor(value.colIndex ?? 0)}
            orientation={panel.type === 'bargauge' ? o : VizOrientation.Horizontal}
            displayMode={options.displayMode ?? BarGaugeDisplayMode.Gradient}
            showUnfilled={options.showUnfilled !== false}
            valueDisplayMode={options.valueMode}
            // A gauge's one value needs no name beside it: the panel's title says it.
            namePlacement={panel.type === 'bargauge' ? options.namePlacement : BarGaugeNamePlacement.Hidden}
            alignmentFactors={count > 1 ? alignmentFactors : undefined}
            itemSpacing={8}
            text={options.text}
            theme={theme}
            width={w}
            height={h}
          />
        );
      }}
    />
  );
}

function PanelBox({ result, gridWidth, theme }: { result: PanelResult; gridWidth: number; theme: GrafanaTheme2 }) {
  const { panel } = result;
  const b = box(panel.gridPos!, gridWidth);
  const override = panel.timeFrom ? rangeUtil.describeTextRange(panel.timeFrom).display : undefined;
  return (
    <div
      data-testid="dashboard-panel"
      data-title={panel.title}
      data-type={panel.type}
      data-items={result.items}
      data-problems={JSON.stringify(result.problems)}
      data-no-values={JSON.stringify(result.noValues)}
      style={{ position: 'absolute', ...b }}
    >
      <PanelChrome
        title={panel.title}
        description={panel.description}
        width={b.width}
        height={b.height}
        loadingState={LoadingState.Done}
        titleItems={
          override && (
            <Text color="info" variant="bodySmall">
              <Icon name="clock-nine" size="sm" /> {override}
            </Text>
          )
        }
      >
        {(w, h) => <Visualization result={result} width={w} height={h} theme={theme} />}
      </PanelChrome>
    </div>
  );
}

function RowHeader({ title, gridPos, gridWidth }: { title: string; gridPos: Box; gridWidth: number }) {
  return (
    <div
      data-testid="dashboard-row"
      style={{ position: 'absolute', top: gridPos.top, left: 0, width: gridWidth, height: gridPos.height }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, height: '100%' }}>
        <Icon name="angle-down" />
        <Text variant="h5">{title}</Text>
      </div>
    </div>
  );
}

/** The dashboard's header as Grafana shows it: title, variables at their values, the time range. */
function Header({ dashboard, dsName }: { dashboard: SavedDashboard; dsName: string }) {
  const variables = dashboard.templating.list as Array<{ name: string; label?: string; type: string }>;
  return (
    <div style={{ padding: `${PADDING}px ${PADDING}px 0` }}>
      <ui.Stack justifyContent="space-between" alignItems="center">
        <Text element="h1" variant="h3">
          {dashboard.title}
        </Text>
        <ui.Button variant="secondary" fill="outline" icon="clock-nine">
          {rangeUtil.describeTimeRange(dashboard.time)} · UTC
        </ui.Button>
      </ui.Stack>
      <ui.Stack gap={1} direction="row">
        {variables.map((v) => (
          <ui.InlineField key={v.name} label={v.label ?? v.name}>
            <ui.Input readOnly value={v.type === 'datasource' ? dsName : 'All'} width={24} />
          </ui.InlineField>
        ))}
      </ui.Stack>
    </div>
  );
}

export function DashboardView({
  dashboard,
  results,
  dsName,
  theme,
}: {
  dashboard: SavedDashboard;
  results: PanelResult[];
  dsName: string;
  theme: GrafanaTheme2;
}) {
  // The page's width less a vertical scroll bar, if any; the page's own margin would widen it past the screen.
  document.body.style.margin = '0';
  const pageWidth = () => document.documentElement.clientWidth - 2 * PADDING;
  const [gridWidth, setGridWidth] = useState(pageWidth);
  useEffect(() => {
    const onResize = () => setGridWidth(pageWidth());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  const byId = new Map(results.map((r) => [r.panel.id, r]));
  const rows = dashboard.panels.filter((p) => p.type === 'row');
  const bottom = Math.max(...dashboard.panels.map((p) => (p.gridPos ? p.gridPos.y + p.gridPos.h : 0)));
  return (
    <div data-testid="dashboard" data-title={dashboard.title}>
      <Header dashboard={dashboard} dsName={dsName} />
      <div
        style={{
          position: 'relative',
          margin: PADDING,
          height: box({ x: 0, y: 0, w: 1, h: bottom }, gridWidth).height,
        }}
      >
        {rows.map((row) => (
          <RowHeader
            key={row.id}
            title={row.title.replace(/\$\{datasource\}|\$datasource/g, dsName)}
            gridPos={box(row.gridPos!, gridWidth)}
            gridWidth={gridWidth}
          />
        ))}
        {dashboard.panels
          .flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]))
          .map((p) => byId.get(p.id))
          .filter((r): r is PanelResult => !!r)
          .map((r) => (
            <PanelBox key={r.panel.id} result={r} gridWidth={gridWidth} theme={theme} />
          ))}
      </div>
    </div>
  );
}
