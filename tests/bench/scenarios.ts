/**
 * The benchmark's workloads: the bundled dashboards as Grafana would run them (one request per panel, each
 * with its own time range and maxDataPoints), and single large queries.
 */
import costsDashboard from '../../src/dashboards/costs-overview.json';
import usageDashboard from '../../src/dashboards/token-usage.json';
import { OpenAIQuery } from '../../src/types';

const DAY = 86_400;

/** One panel's request: Grafana sends each panel's targets together. */
export interface PanelRequest {
  title: string;
  targets: OpenAIQuery[];
  /** Unix seconds, [from, to). */
  from: number;
  to: number;
  maxDataPoints: number;
}

export interface Scenario {
  id: number;
  name: string;
  panels: PanelRequest[];
}

/** A 1920 px wide dashboard: 80 px per grid column, less the panel's padding. */
export const PX_PER_COLUMN = 80;
const PANEL_PADDING_PX = 16;

interface DashboardPanel {
  type: string;
  title: string;
  gridPos: { w: number };
  timeFrom?: string;
  targets?: OpenAIQuery[];
}

/**
 * The range starts the bundled dashboards use (their UTC time zone), as Grafana resolves them: `now-30d/d` for
 * the dashboards, `now/d` and `now/M` for panel overrides.
 */
export function resolveFrom(from: string, now: number): number {
  const d = new Date(now * 1000);
  const today = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) / 1000;
  if (from === 'now/d') {
    return today;
  }
  if (from === 'now/M') {
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
  }
  const days = /^now-(\d+)d(\/d)?$/.exec(from);
  if (days) {
    return (days[2] ? today : now) - Number(days[1]) * DAY;
  }
  throw new Error(`The benchmark does not know the time range start "${from}".`);
}

/** The costs and usage dashboards as they open: their own range, each panel's override. */
export function dashboardPanels(now: number): PanelRequest[] {
  if (costsDashboard.time.from !== usageDashboard.time.from) {
    throw new Error('The benchmark expects both dashboards to open on the same range.');
  }
  return [...panelRequests(costsDashboard, now), ...panelRequests(usageDashboard, now)];
}

/** A dashboard's panels as Grafana requests them when it opens at `now`. */
export function panelRequests(dashboard: { time: { from: string }; panels: unknown[] }, now: number): PanelRequest[] {
  const from = resolveFrom(dashboard.time.from, now);
  return (dashboard.panels as DashboardPanel[])
    .filter((p) => p.type !== 'row' && p.targets?.length)
    .map((p) => ({
      title: p.title,
      targets: p.targets!,
      from: p.timeFrom ? resolveFrom(p.timeFrom, now) : from,
      to: now,
      maxDataPoints: p.gridPos.w * PX_PER_COLUMN - PANEL_PADDING_PX,
    }));
}

function single(title: string, query: Partial<OpenAIQuery>, from: number, to: number): PanelRequest {
  const target = { refId: 'A', queryType: 'timeSeries', metrics: [], filters: {}, ...query } as OpenAIQuery;
  return { title, targets: [target], from, to, maxDataPoints: 24 * PX_PER_COLUMN - PANEL_PADDING_PX };
}

export function scenarios(now: number): Scenario[] {
  return [
    {
      id: 1,
      name: `Both bundled dashboards as they open (${costsDashboard.time.from} to now), every panel`,
      panels: dashboardPanels(now),
    },
    {
      id: 2,
      name: '90 days of hourly completions by model and project',
      panels: [
        single(
          'completions',
          { source: 'completions', bucketWidth: '1h', groupBy: ['model', 'project_id'] },
          now - 90 * DAY,
          now
        ),
      ],
    },
    {
      id: 3,
      name: '24 hours of minute completions by model, project, user, API key',
      panels: [
        single(
          'completions',
          { source: 'completions', bucketWidth: '1m', groupBy: ['model', 'project_id', 'user_id', 'api_key_id'] },
          now - DAY,
          now
        ),
      ],
    },
    {
      id: 4,
      name: '180 days of daily costs by project and line item',
      panels: [
        single(
          'costs',
          { source: 'costs', bucketWidth: '1d', groupBy: ['project_id', 'line_item'] },
          now - 180 * DAY,
          now
        ),
      ],
    },
  ];
}
