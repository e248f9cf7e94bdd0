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
  /** Served by the large organization (LARGE_ORG) instead of the small one. */
  largeOrg?: boolean;
  /** A cold scenario's panels asked again REFRESH_AFTER_S later on the same DataSource: the cold scenario's id. */
  refreshOf?: number;
  /** Also measured with the names already known, to show what they add (the 3,000-key panel). */
  withoutNames?: boolean;
}

/** How much later a refresh scenario asks again. */
export const REFRESH_AFTER_S = 60;

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

/**
 * The costs and usage dashboards as they open: their own range (or `range`, e.g. Grafana's default `now-7d`),
 * each panel's override; `titles` keeps only the panels named.
 */
export function dashboardPanels(now: number, range = costsDashboard.time.from, titles?: string[]): PanelRequest[] {
  if (costsDashboard.time.from !== usageDashboard.time.from) {
    throw new Error('The benchmark expects both dashboards to open on the same range.');
  }
  return [...panelRequests(costsDashboard, now, range, titles), ...panelRequests(usageDashboard, now, range, titles)];
}

/** A dashboard's panels as Grafana requests them when it opens at `now` (over `range`, if given; `titles` only). */
export function panelRequests(
  dashboard: { time: { from: string }; panels: unknown[] },
  now: number,
  range = dashboard.time.from,
  titles?: string[]
): PanelRequest[] {
  const from = resolveFrom(range, now);
  return (dashboard.panels as DashboardPanel[])
    .filter((p) => p.type !== 'row' && p.targets?.length && (!titles || titles.includes(p.title)))
    .map((p) => ({
      title: p.title,
      targets: p.targets!,
      from: p.timeFrom ? resolveFrom(p.timeFrom, now) : from,
      to: now,
      maxDataPoints: p.gridPos.w * PX_PER_COLUMN - PANEL_PADDING_PX,
    }));
}

/** The bundled token usage dashboard's top-N panels. */
export const TOP_PANELS = ['Top users', 'Top API keys'];
/** The large-organization queries: hourly completions, input and output tokens, as the top-N panels chart them. */
const TOP_METRICS: Partial<OpenAIQuery> = {
  source: 'completions',
  bucketWidth: '1h',
  metrics: ['input_tokens', 'output_tokens'],
};

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
    {
      id: 5,
      name: `Scenario 1 refreshed ${REFRESH_AFTER_S} s later (same DataSource)`,
      panels: dashboardPanels(now + REFRESH_AFTER_S),
      refreshOf: 1,
    },
    {
      id: 6,
      name: 'Both bundled dashboards over Grafana\'s default "Last 7 days" (now-7d, unrounded), every panel',
      panels: dashboardPanels(now, 'now-7d'),
    },
    {
      id: 7,
      name: `Scenario 6 refreshed ${REFRESH_AFTER_S} s later: its first window moved (same DataSource)`,
      panels: dashboardPanels(now + REFRESH_AFTER_S, 'now-7d'),
      refreshOf: 6,
    },
    {
      id: 8,
      name: 'Large org: 1,000 users, 90 days of hourly input and output tokens by user',
      panels: [single('completions', { ...TOP_METRICS, groupBy: ['user_id'] }, now - 90 * DAY, now)],
      largeOrg: true,
    },
    {
      id: 9,
      name: 'Large org: 3,000 API keys, 90 days of hourly input and output tokens by API key',
      panels: [single('completions', { ...TOP_METRICS, groupBy: ['api_key_id'] }, now - 90 * DAY, now)],
      largeOrg: true,
      withoutNames: true,
    },
    {
      id: 10,
      name: `Scenario 9 refreshed ${REFRESH_AFTER_S} s later (same DataSource)`,
      panels: [
        single(
          'completions',
          { ...TOP_METRICS, groupBy: ['api_key_id'] },
          now + REFRESH_AFTER_S - 90 * DAY,
          now + REFRESH_AFTER_S
        ),
      ],
      largeOrg: true,
      refreshOf: 9,
    },
    {
      id: 11,
      name: `Large org: the token usage dashboard's ${TOP_PANELS.map((t) => `"${t}"`).join(' and ')} panels as they open`,
      panels: dashboardPanels(now, costsDashboard.time.from, TOP_PANELS),
      largeOrg: true,
    },
  ];
}

/** The large-organization scenarios, which `npm run bench -- large` selects. */
export const LARGE_ORG_SCENARIOS = [8, 9, 10, 11];
