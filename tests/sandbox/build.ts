/**
 * Bundles the sandbox host page (host.tsx) for the browser. The externals the host hands to the plugin are
 * generated from the `define([...])` list of the built dist/module.js, so the host provides exactly what the
 * plugin asks Grafana for, from the installed packages, and fails here if a new external appears that is not
 * installed.
 *
 * Usage: `tsx tests/sandbox/build.ts` (after `npm run build`).
 */
import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const SANDBOX_DIR = __dirname;
export const REPO_ROOT = resolve(__dirname, '../..');
export const HOST_BUNDLE_DIR = resolve(__dirname, 'dist');
export const PLUGIN_DIST = resolve(REPO_ROOT, 'dist');

/** AMD ids Grafana's loader answers itself rather than from a package. */
const LOADER_IDS = new Set(['module', 'exports', 'require']);

/** The dependency ids of the single anonymous `define([...], factory)` in a webpack AMD bundle. */
export function readAmdDependencies(moduleJs: string): string[] {
  const m = /\bdefine\(\s*(\[[^\]]*\])\s*,/.exec(moduleJs);
  if (!m) {
    throw new Error('dist/module.js has no define([...], factory): is it an AMD build?');
  }
  return JSON.parse(m[1]) as string[];
}

/** `sandbox:externals`: a module whose default export maps each AMD id to the real package. */
function externalsPlugin(deps: string[]): Plugin {
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
        resolveDir: REPO_ROOT,
      }));
    },
  };
}

/**
 * Grafana's packages through their CommonJS builds: esbuild gives `.mjs` files Node's interop, where a default
 * import of a CommonJS dependency is its whole `module.exports`, which breaks @grafana/ui's ESM build
 * (e.g. CustomScrollbar's `react-custom-scrollbars-2`). Every importer gets the same CommonJS copy.
 */
function grafanaCommonJsPlugin(): Plugin {
  return {
    name: 'grafana-commonjs',
    setup(b) {
      b.onResolve({ filter: /^@grafana\/(data|ui|runtime|i18n|schema)(\/.*)?$/ }, async (args) => {
        if (args.pluginData === 'grafana-commonjs') {
          return undefined;
        }
        const resolved = await b.resolve(args.path, {
          kind: 'require-call',
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'grafana-commonjs',
        });
        return resolved.errors.length ? { errors: resolved.errors } : { path: resolved.path };
      });
    },
  };
}

export async function buildHost(): Promise<{ deps: string[] }> {
  let moduleJs: string;
  try {
    moduleJs = readFileSync(resolve(PLUGIN_DIST, 'module.js'), 'utf8');
  } catch {
    throw new Error('dist/module.js is missing: run `npm run build` first.');
  }
  const deps = readAmdDependencies(moduleJs);
  await build({
    entryPoints: [resolve(__dirname, 'host.tsx')],
    outdir: HOST_BUNDLE_DIR,
    entryNames: 'host',
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
    plugins: [externalsPlugin(deps), grafanaCommonJsPlugin()],
    logLevel: 'warning',
  });
  return { deps };
}

if (require.main === module) {
  const started = Date.now();
  buildHost().then(
    ({ deps }) =>
      console.log(`sandbox host built in ${Date.now() - started} ms; module.js externals: ${deps.join(', ')}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    }
  );
}
