/**
 * A bundled dashboard as Grafana opens it: its drawn panels and its variables at their defaults. No runtime
 * imports, so both Node (the browser tests) and the sandbox page use it.
 */
import type { OpenAIQuery } from '../../src/types';
import type { SavedPanel } from './panelView';
import type { TestVariable } from './templateSrv';

export interface DashboardPanel extends SavedPanel {
  targets?: OpenAIQuery[];
  panels?: DashboardPanel[];
  repeat?: string;
  collapsed?: boolean;
}

export interface SavedDashboard {
  title: string;
  uid?: string;
  time: { from: string; to: string };
  templating: { list: Array<{ name: string; type: string; includeAll?: boolean }> };
  panels: DashboardPanel[];
}

/** Every panel that draws something, rows' own panels included (rows only hold them). */
export function drawnPanels(panels: DashboardPanel[]): DashboardPanel[] {
  return panels.flatMap((p) => [...(p.type === 'row' ? [] : [p]), ...drawnPanels(p.panels ?? [])]);
}

/** Each dashboard variable at its default: "All" where the variable offers it. */
export function defaultVariables(d: SavedDashboard): TestVariable[] {
  return d.templating.list
    .filter((v) => v.type !== 'datasource')
    .map((v) => ({ name: v.name, value: v.includeAll ? '$__all' : '' }));
}
