/**
 * Offline checks of the built plugin in dist/ and of its release archive (`npm run package`), mirroring the
 * Grafana plugin validator's analyzers that matter for this plugin (archivename, metadatavalid, pluginname,
 * packagejson, restrictivedep, discoverability, logos, screenshots, jsMap, readme, templatereadme, license,
 * changelog, unsafesvg) plus this plugin's own rules: GET-only routes under v1/organization, no admin key in the
 * bundle, and a grafanaDependency that starts at the oldest Grafana the browser tests verify. Prints one line per
 * check; exits 1 if any fails.
 */
import { existsSync, readFileSync, statSync } from 'fs';
import { unzipSync } from 'fflate';
import { join, resolve } from 'path';

import { grafanaLines } from '../sandbox/grafana/lines';
import { ARTIFACTS, archiveName, CHECKSUMS, checksumLine, listFiles } from './package';

// semver ships no type declarations.
const semver = require('semver') as {
  validRange(range: string): string | null;
  minVersion(range: string): { major: number; minor: number } | null;
};

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

check('grafanaDependency starts at the oldest Grafana line the browser tests verify', () => {
  const range = plugin.dependencies?.grafanaDependency ?? '';
  const min = semver.validRange(range) ? semver.minVersion(range) : null;
  const oldest = grafanaLines()[0];
  if (!min) {
    return `no lower bound in ${JSON.stringify(range)}`;
  }
  return `${min.major}.${min.minor}` === oldest.name
    ? true
    : `${range} starts at ${min.major}.${min.minor}, the oldest line tested is ${oldest.name} (tests/sandbox/grafana)`;
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

// The release archive, as Grafana's validator and `grafana cli --pluginUrl` see it.
const packageVersion = readJson<{ version: string }>(join(ROOT, 'package.json')).version;
const archiveFile = join(ARTIFACTS, archiveName({ id: plugin.id ?? '', version: packageVersion }));
let archive: { bytes: Uint8Array; entries: Record<string, Uint8Array> } | undefined;

check('release archive is named <plugin id>-<package.json version>.zip', () => {
  if (!existsSync(archiveFile)) {
    return `missing ${archiveName({ id: plugin.id ?? '', version: packageVersion })} (run npm run package)`;
  }
  const bytes = new Uint8Array(readFileSync(archiveFile));
  archive = { bytes, entries: unzipSync(bytes) };
  return true;
});

const files = (entries: Record<string, Uint8Array>) => Object.keys(entries).filter((name) => !name.endsWith('/'));

check('release archive has one top folder, named by the plugin id', () => {
  if (!archive) {
    return 'no archive';
  }
  const roots = [...new Set(Object.keys(archive.entries).map((name) => name.split('/')[0]))];
  return roots.length === 1 && roots[0] === plugin.id ? true : `top folders: ${roots.join(', ')}`;
});

check('release archive holds module.js, its map, plugin.json, LICENSE, README, CHANGELOG and the images', () => {
  if (!archive) {
    return 'no archive';
  }
  const logos = plugin.info?.logos ?? {};
  const required = [
    'module.js',
    'module.js.map',
    'plugin.json',
    'LICENSE',
    'README.md',
    'CHANGELOG.md',
    ...[logos.small, logos.large, ...(plugin.info?.screenshots ?? []).map((s) => s.path)].filter(
      (p): p is string => !!p
    ),
  ];
  const missing = required.filter((f) => !(archive!.entries[`${plugin.id}/${f}`]?.length > 0));
  return missing.length === 0 ? true : `missing or empty: ${missing.join(', ')}`;
});

check('release archive plugin.json has the id and the package.json version', () => {
  if (!archive) {
    return 'no archive';
  }
  const inside = JSON.parse(Buffer.from(archive.entries[`${plugin.id}/plugin.json`] ?? []).toString('utf8') || '{}');
  if (inside.id !== plugin.id) {
    return `id ${inside.id}`;
  }
  return inside.info?.version === packageVersion ? true : `version ${inside.info?.version} ≠ ${packageVersion}`;
});

check('release archive holds exactly the files of dist/', () => {
  if (!archive) {
    return 'no archive';
  }
  const expected = listFiles(DIST).map((f) => `${plugin.id}/${f}`);
  const actual = files(archive.entries).sort();
  const missing = expected.filter((f) => !actual.includes(f));
  const extra = actual.filter((f) => !expected.includes(f));
  const changed = expected.filter(
    (f) =>
      actual.includes(f) &&
      !Buffer.from(archive!.entries[f]).equals(readFileSync(join(DIST, f.slice(f.indexOf('/') + 1))))
  );
  const problems = [
    ...missing.map((f) => `missing ${f}`),
    ...extra.map((f) => `extra ${f}`),
    ...changed.map((f) => `differs ${f}`),
  ];
  return problems.length === 0 ? true : problems.slice(0, 5).join('; ');
});

check('release archive checksums (.sha1, .md5) match it', () => {
  if (!archive) {
    return 'no archive';
  }
  const name = archiveFile.split(/[\\/]/).pop()!;
  const wrong = Object.entries(CHECKSUMS).filter(([algorithm, suffix]) => {
    const path = archiveFile + suffix;
    return (
      !existsSync(path) ||
      readFileSync(path, 'utf8') !== checksumLine(algorithm as keyof typeof CHECKSUMS, archive!.bytes, name)
    );
  });
  return wrong.length === 0 ? true : `missing or wrong: ${wrong.map(([, suffix]) => name + suffix).join(', ')}`;
});

for (const result of results) {
  console.log(`${result.ok ? '✓' : '✗'} ${result.name}${result.detail ? `: ${result.detail}` : ''}`);
}
const failed = results.filter((r) => !r.ok).length;
console.log(
  failed === 0 ? `All ${results.length} dist checks passed.` : `${failed} of ${results.length} dist checks failed.`
);
process.exit(failed === 0 ? 0 : 1);
