/**
 * Where the browser tests put their screenshots: the line's own folder (tests/sandbox/screenshots/<line>/), or,
 * for `npm run screenshots` (SANDBOX_PICTURES=publish), the plugin's screenshot folder for those pictures that
 * src/plugin.json publishes.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

import { REPO_ROOT } from './grafana/lines';

const SRC = resolve(REPO_ROOT, 'src');

interface PluginJson {
  info: { screenshots?: Array<{ name: string; path: string }> };
  includes?: Array<{ type: string; name: string; path: string }>;
}

export const pluginJson = JSON.parse(readFileSync(resolve(SRC, 'plugin.json'), 'utf8')) as PluginJson;

/** The bundled dashboards, as plugin.json includes them (paths relative to src/ and to the plugin's folder). */
export const bundledDashboards = (pluginJson.includes ?? []).filter((i) => i.type === 'dashboard');

/** The file name of a dashboard's picture: `dashboard-costs-overview.png` for dashboards/costs-overview.json. */
export function dashboardPicture(path: string): string {
  return `dashboard-${basename(path, '.json')}.png`;
}

/** True when this run writes the published pictures. */
export const publishing = process.env.SANDBOX_PICTURES === 'publish';

/** The path a screenshot named `name` of the Grafana line `line` is written to. */
export function picturePath(line: string, name: string): string {
  const published = (pluginJson.info.screenshots ?? []).find((s) => basename(s.path) === name);
  const path = publishing && published ? resolve(SRC, published.path) : resolve(__dirname, 'screenshots', line, name);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}
