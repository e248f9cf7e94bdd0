/**
 * Offline checks of the built plugin in dist/, mirroring the Grafana plugin validator's analyzers that matter
 * for this plugin (metadatavalid, pluginname, packagejson, restrictivedep, discoverability, logos, screenshots,
 * jsMap, readme, templatereadme, license, changelog, unsafesvg) plus this plugin's own rules: GET-only routes under
 * v1/organization and no admin key in the bundle. Prints one line per check; exits 1 if any fails.
 */
import { existsSync, readFileSync, statSync } from 'fs';
import { join, resolve } from 'path';

// semver ships no type declarations; only validRange is needed.
const semver = require('semver') as { validRange(range: string): string | null };

const ROOT = resolve(__dirname, '../..');
const DIST = join(ROOT, 'dist');

interface Result {
  ok: boolean;
  name: string;
  detail?: string;
}

const results: Result[] = [];

function check(name: string, run: () => true | string): void {
  try {
    const outcome = run();
    results.push(outcome === true ? { ok: true, name } : { ok: false, name, detail: outcome });
  } catch (err) {
    results.push({ ok: false, name, detail: err instanceof Error ? err.message : String(err) });
  }
}

function distFile(relative: string): string {
  return join(DIST, relative);
}

function nonEmptyFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile() && statSync(path).size > 0;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

interface PluginJson {
  id?: string;
  name?: string;
  type?: string;
  info?: {
    version?: string;
    updated?: string;
    description?: string;
    keywords?: string[];
    logos?: { small?: string; large?: string };
    screenshots?: Array<{ name?: string; path?: string }>;
  };
  dependencies?: { grafanaDependency?: string };
  includes?: Array<{ type?: string; name?: string; path?: string }>;
  routes?: Array<{ path?: string; method?: string; url?: string; headers?: Array<{ name: string; content: string }> }>;
}

const pluginJsonPath = distFile('plugin.json');
let plugin: PluginJson = {};

check('dist/plugin.json exists and is valid JSON', () => {
  if (!existsSync(pluginJsonPath)) {
    return 'missing (run npm run build first)';
  }
  plugin = readJson<PluginJson>(pluginJsonPath);
  return true;
});

check('plugin id has the form org-name-type', () => {
  const id = plugin.id ?? '';
  return /^[a-z0-9]+-[a-z0-9]+-(datasource|panel|app)$/.test(id) && id.split('-').length >= 3
    ? true
    : `invalid id ${JSON.stringify(id)}`;
});

check('plugin name is set and differs from the id', () =>
  plugin.name && plugin.name !== plugin.id ? true : `name ${JSON.stringify(plugin.name)}`
);

check('plugin type is datasource', () => (plugin.type === 'datasource' ? true : `type ${plugin.type}`));

check('info.version equals package.json version', () => {
  const pkg = readJson<{ version: string }>(join(ROOT, 'package.json'));
  const version = plugin.info?.version;
  if (!version || version.includes('%')) {
    return `unreplaced version ${JSON.stringify(version)}`;
  }
  return version === pkg.version ? true : `${version} ≠ package.json ${pkg.version}`;
});

check('info.updated is a date', () => {
  const updated = plugin.info?.updated ?? '';
  return /^\d{4}-\d{2}-\d{2}/.test(updated) && !Number.isNaN(Date.parse(updated))
    ? true
    : `updated ${JSON.stringify(updated)}`;
});

check('grafanaDependency is a ">=" semver range', () => {
  const range = plugin.dependencies?.grafanaDependency ?? '';
  if (!semver.validRange(range)) {
    return `not a semver range: ${JSON.stringify(range)}`;
  }
  return range.trim().startsWith('>=') ? true : `should start with ">=": ${range}`;
});

check('description and keywords are set', () => {
  if (!plugin.info?.description?.trim()) {
    return 'empty info.description';
  }
  return plugin.info.keywords?.some((k) => k.trim()) ? true : 'no info.keywords';
});

check('logos exist and are not empty', () => {
  const logos = plugin.info?.logos ?? {};
  const missing = (['small', 'large'] as const).filter((size) => !logos[size] || !nonEmptyFile(distFile(logos[size]!)));
  return missing.length === 0 ? true : `missing or empty: ${missing.join(', ')}`;
});

check('every screenshot exists', () => {
  const missing = (plugin.info?.screenshots ?? []).filter((s) => !s.path || !nonEmptyFile(distFile(s.path)));
  return missing.length === 0 ? true : `missing: ${missing.map((s) => s.path).join(', ')}`;
});

check('included dashboards exist and are valid JSON', () => {
  const dashboards = (plugin.includes ?? []).filter((include) => include.type === 'dashboard');
  const problems: string[] = [];
  for (const include of dashboards) {
    const path = include.path ? distFile(include.path) : '';
    if (!path || !existsSync(path)) {
      problems.push(`${include.path}: missing`);
      continue;
    }
    try {
      readJson(path);
    } catch {
      problems.push(`${include.path}: invalid JSON`);
    }
  }
  return problems.length === 0 ? true : problems.join('; ');
});

check('routes are GET-only under v1/organization, without their own url', () => {
  const routes = plugin.routes ?? [];
  if (routes.length === 0) {
    return 'no routes: the admin key would have no way to reach the API';
  }
  const problems = routes
    .filter((r) => r.method !== 'GET' || !(r.path ?? '').startsWith('v1/organization'))
    .map((r) => `${r.method ?? '(any)'} ${r.path}`);
  // A route url would replace the data source URL, which Grafana checks against data_source_proxy_whitelist.
  const leaky = routes.filter((r) => r.url !== undefined).map((r) => `${r.path}: has its own url`);
  const all = [...problems, ...leaky];
  return all.length === 0 ? true : all.join('; ');
});

check('module.js and module.js.map exist', () => {
  const missing = ['module.js', 'module.js.map'].filter((f) => !nonEmptyFile(distFile(f)));
  return missing.length === 0 ? true : `missing: ${missing.join(', ')}`;
});

// The prefix alone appears in help texts ("sk-admin-…"); a prefix followed by key characters is a key.
check('module.js contains no admin key', () => {
  if (!existsSync(distFile('module.js'))) {
    return 'module.js is missing';
  }
  const found = readFileSync(distFile('module.js'), 'utf8').match(/sk-admin-[A-Za-z0-9_-]{6,}/);
  return found ? `found ${found[0].slice(0, 14)}… in module.js` : true;
});

check('README.md is the plugin README, not the template', () => {
  const path = distFile('README.md');
  if (!nonEmptyFile(path)) {
    return 'missing';
  }
  const readme = readFileSync(path, 'utf8');
  if (/Grafana (Panel|Data Source|Datasource|App|Data Source Backend) Plugin Template/i.test(readme)) {
    return 'still the create-plugin template README';
  }
  const placeholder = readme.match(/%[A-Z][A-Z_]*%/);
  return placeholder ? `unreplaced placeholder ${placeholder[0]}` : true;
});

check('LICENSE and CHANGELOG.md are present', () => {
  const missing = ['LICENSE', 'CHANGELOG.md'].filter((f) => !nonEmptyFile(distFile(f)));
  return missing.length === 0 ? true : `missing: ${missing.join(', ')}`;
});

check('SVG images contain no scripts or event handlers', () => {
  const svgs = new Set<string>();
  const logos = plugin.info?.logos ?? {};
  for (const path of [logos.small, logos.large, ...(plugin.info?.screenshots ?? []).map((s) => s.path)]) {
    if (path && path.toLowerCase().endsWith('.svg') && existsSync(distFile(path))) {
      svgs.add(path);
    }
  }
  const unsafe = [...svgs].filter((path) => {
    const svg = readFileSync(distFile(path), 'utf8');
    return /<script/i.test(svg) || /\son[a-z]+\s*=/i.test(svg) || /javascript:/i.test(svg);
  });
  return unsafe.length === 0 ? true : `unsafe: ${unsafe.join(', ')}`;
});

for (const result of results) {
  console.log(`${result.ok ? '✓' : '✗'} ${result.name}${result.detail ? `: ${result.detail}` : ''}`);
}
const failed = results.filter((r) => !r.ok).length;
console.log(
  failed === 0 ? `All ${results.length} dist checks passed.` : `${failed} of ${results.length} dist checks failed.`
);
process.exit(failed === 0 ? 0 : 1);
