/**
 * Bundles the sandbox host page (host.tsx) for the browser, once per Grafana line (grafana/lines.ts), each
 * from that line's own packages. The externals the host hands to the plugin are generated from the
 * `define([...])` list of the built dist/module.js, so the host provides exactly what the plugin asks Grafana
 * for, and fails here if a new external appears that is not installed.
 *
 * Usage: `tsx tests/sandbox/build.ts [line…]` (after `npm run build` and `tsx tests/sandbox/grafana/install.ts`).
 */
import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';

import { LOADER_IDS, readAmdDependencies } from '../tools/amd';
import { type GrafanaLine, grafanaLine, grafanaLines, REPO_ROOT } from './grafana/lines';

export const SANDBOX_DIR = __dirname;
export const PLUGIN_DIST = resolve(REPO_ROOT, 'dist');

/** Where the host bundle of a line goes (served as /sandbox/ by server.ts). */
export function hostBundleDir(line: GrafanaLine): string {
  return resolve(__dirname, 'dist', line.name);
}

/** `sandbox:externals`: a module whose default export maps each AMD id to the line's package. */
function externalsPlugin(deps: string[], line: GrafanaLine): Plugin {
  const packages = deps.filter((d) => !LOADER_IDS.has(d));
  const source = [
    ...packages.map((p, i) => `import * as m${i} from ${JSON.stringify(p)};`),
    `export default {${packages.map((p, i) => `${JSON.stringify(p)}: m${i}`).join(', ')}};`,
  ].join('\n');
  return {
    name: 'sandbox-externals',
    setup(b) {
      b.onResolve({ filter: /^sandbox:externals$/ }, () => ({ path: 'externals', namespace: 'sandbox' }));
      b.onLoad({ filter: /.*/, namespace: 'sandbox' }, () => ({
        contents: source,
        loader: 'js',
        resolveDir: line.dir,
      }));
    },
  };
}

const inNodeModules = (path: string) => path.split(/[\\/]/).includes('node_modules');

/**
 * Every package comes from the line's folder: a bare import from the host's own files (host.tsx, the harness)
 * resolves there, and the packages' own imports stay within it.
 *
 * Grafana's packages come through their CommonJS builds: esbuild gives `.mjs` files Node's interop, where a
 * default import of a CommonJS dependency is its whole `module.exports`, which breaks @grafana/ui's ESM build
 * (e.g. CustomScrollbar's `react-custom-scrollbars-2`). Every importer gets the same CommonJS copy.
 */
function linePackagesPlugin(line: GrafanaLine): Plugin {
  const grafana = /^@grafana\/(data|ui|runtime|i18n|schema)(\/.*)?$/;
  return {
    name: 'line-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'line-packages' || args.path.startsWith('sandbox:')) {
          return undefined;
        }
        const fromHost = !inNodeModules(args.importer) && args.kind !== 'entry-point';
        const isGrafana = grafana.test(args.path);
        if (!fromHost && !isGrafana) {
          return undefined;
        }
        const resolved = await b.resolve(args.path, {
          kind: isGrafana ? 'require-call' : args.kind,
          resolveDir: fromHost ? line.dir : args.resolveDir,
          importer: args.importer,
          pluginData: 'line-packages',
        });
        return resolved.errors.length
          ? { errors: resolved.errors }
          : { path: resolved.path, external: resolved.external };
      });
    },
  };
}

/** Every package in the bundle must come from the line's own node_modules. */
function packagesOutsideLine(inputs: string[], line: GrafanaLine): string[] {
  const own = resolve(line.dir, 'node_modules') + sep;
  return inputs
    .map((input) => resolve(REPO_ROOT, input.replace(/^[a-z-]+:/, '')))
    .filter((path) => inNodeModules(path) && !path.startsWith(own))
    .map((path) => relative(REPO_ROOT, path));
}

export async function buildHost(line: GrafanaLine): Promise<{ deps: string[] }> {
  let moduleJs: string;
  try {
    moduleJs = readFileSync(resolve(PLUGIN_DIST, 'module.js'), 'utf8');
  } catch {
    throw new Error('dist/module.js is missing: run `npm run build` first.');
  }
  const deps = readAmdDependencies(moduleJs);
  const result = await build({
    entryPoints: [resolve(__dirname, 'host.tsx')],
    outdir: hostBundleDir(line),
    entryNames: 'host',
    absWorkingDir: REPO_ROOT,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    // No source map: the bundle is a test fixture, and the map alone would be ~30 MB.
    sourcemap: false,
    minify: !process.env.SANDBOX_DEV,
    // Same JSX transform as the plugin (tsconfig "jsx": "react").
    jsx: 'transform',
    define: { 'process.env.NODE_ENV': process.env.SANDBOX_DEV ? '"development"' : '"production"', global: 'window' },
    loader: { '.svg': 'dataurl', '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.png': 'dataurl' },
    plugins: [externalsPlugin(deps, line), linePackagesPlugin(line)],
    metafile: true,
    logLevel: 'warning',
  });
  const foreign = packagesOutsideLine(Object.keys(result.metafile.inputs), line);
  if (foreign.length) {
    throw new Error(
      `The Grafana ${line.name} host bundles packages of another line: ${foreign.slice(0, 5).join(', ')}`
    );
  }
  return { deps };
}

async function main() {
  const names = process.argv.slice(2);
  const lines = names.length ? names.map((n) => grafanaLine(n)) : grafanaLines();
  for (const line of lines) {
    const started = Date.now();
    const { deps } = await buildHost(line);
    console.log(
      `sandbox host for Grafana ${line.grafana} (React ${line.react}) built in ${Date.now() - started} ms; ` +
        `module.js externals: ${deps.join(', ')}`
    );
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
