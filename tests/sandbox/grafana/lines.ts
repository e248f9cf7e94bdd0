/**
 * The Grafana release lines the browser sandbox loads the built plugin with. Each line is a set of the modules
 * Grafana shares with plugins (@grafana/data, ui, runtime, React, rxjs, emotion) at the versions that Grafana
 * release builds against:
 * - the plugin's own dependencies (the repository root), the line it is developed on;
 * - every folder here with a package.json and a lock file, installed by `tsx tests/sandbox/grafana/install.ts`.
 * `grafanaDependency` in src/plugin.json starts at the oldest line (checked by the dist checks).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const semver = require('semver') as {
  compare(a: string, b: string): number;
  major(v: string): number;
  minor(v: string): number;
};

export const REPO_ROOT = resolve(__dirname, '../../..');
export const LINES_DIR = __dirname;

export interface GrafanaLine {
  /** `major.minor`, e.g. `13.2`: the Playwright project and the host bundle folder are named after it. */
  name: string;
  /** The folder whose node_modules holds the line's packages. */
  dir: string;
  /** The exact @grafana/ui version the line pins. */
  grafana: string;
  /** The exact React version the line pins (the installed one for the repository root). */
  react: string;
}

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function lineOf(dir: string, react: string): GrafanaLine {
  const pkg = readJson<PackageJson>(join(dir, 'package.json'));
  const grafana = pkg.dependencies?.['@grafana/ui'];
  if (!grafana || !/^\d+\.\d+\.\d+$/.test(grafana)) {
    throw new Error(`${join(dir, 'package.json')}: @grafana/ui must be pinned to an exact version, got ${grafana}`);
  }
  return { name: `${semver.major(grafana)}.${semver.minor(grafana)}`, dir, grafana, react };
}

/** Folders under tests/sandbox/grafana that pin a line, named `major.minor` after the @grafana/ui they pin. */
export function pinnedLineDirs(): string[] {
  return readdirSync(LINES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(LINES_DIR, e.name, 'package.json')))
    .map((e) => join(LINES_DIR, e.name));
}

/** Every line, oldest first. */
export function grafanaLines(): GrafanaLine[] {
  const lines = pinnedLineDirs().map((dir) => {
    const react = readJson<PackageJson>(join(dir, 'package.json')).dependencies?.react ?? '';
    const line = lineOf(dir, react);
    if (line.name !== dir.split(/[\\/]/).pop()) {
      throw new Error(`${dir}: the folder must be named after the line it pins (${line.name})`);
    }
    return line;
  });
  // The root pins @grafana/* exactly but React by a range: the installed React is the one the tests run.
  const rootReact = existsSync(join(REPO_ROOT, 'node_modules/react/package.json'))
    ? readJson<{ version: string }>(join(REPO_ROOT, 'node_modules/react/package.json')).version
    : '';
  lines.push(lineOf(REPO_ROOT, rootReact));
  const names = new Set<string>();
  for (const line of lines) {
    if (names.has(line.name)) {
      throw new Error(`Grafana ${line.name} is pinned twice (the repository root pins ${lines.at(-1)!.grafana})`);
    }
    names.add(line.name);
  }
  return lines.sort((a, b) => semver.compare(a.grafana, b.grafana));
}

/** The line named `name`; the repository root's line when `name` is unset. */
export function grafanaLine(name?: string): GrafanaLine {
  const lines = grafanaLines();
  const line = name ? lines.find((l) => l.name === name) : lines.find((l) => l.dir === REPO_ROOT);
  if (!line) {
    throw new Error(`No Grafana line ${name}; known: ${lines.map((l) => l.name).join(', ')}`);
  }
  return line;
}

/** `tsx tests/sandbox/grafana/lines.ts --versions`: the lines' Grafana versions as a JSON array (CI's e2e matrix). */
if (require.main === module && process.argv.includes('--versions')) {
  console.log(JSON.stringify(grafanaLines().map((l) => l.grafana)));
}
