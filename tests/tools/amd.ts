/** The AMD module format webpack emits for Grafana plugins (`output.library.type: 'amd'`). */

/** AMD ids Grafana's loader answers itself rather than from a package. */
export const LOADER_IDS = new Set(['module', 'exports', 'require']);

/** The dependency ids of the single anonymous `define([...], factory)` in a webpack AMD bundle. */
export function readAmdDependencies(moduleJs: string): string[] {
  const m = /\bdefine\(\s*(\[[^\]]*\])\s*,/.exec(moduleJs);
  if (!m) {
    throw new Error('dist/module.js has no define([...], factory): is it an AMD build?');
  }
  return JSON.parse(m[1]) as string[];
}
