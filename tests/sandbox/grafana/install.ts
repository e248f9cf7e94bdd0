/**
 * Installs each pinned Grafana line (tests/sandbox/grafana/<line>/) from its lock file with `npm ci`, in
 * parallel. A line whose installed packages already match its package.json is left alone.
 *
 * Usage: `tsx tests/sandbox/grafana/install.ts`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { pinnedLineDirs, REPO_ROOT } from './lines';

function installedVersion(dir: string, pkg: string): string | undefined {
  const path = join(dir, 'node_modules', pkg, 'package.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version : undefined;
}

/** True when every direct dependency is installed at the pinned version. */
function upToDate(dir: string): boolean {
  const deps = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
    .dependencies;
  return Object.entries(deps).every(([name, version]) => installedVersion(dir, name) === version);
}

function npmCi(dir: string): Promise<void> {
  return new Promise((resolveRun, reject) => {
    // No install scripts: the sandbox only bundles these packages' JavaScript.
    const child = spawn('npm', ['ci', '--prefix', dir, '--ignore-scripts', '--no-audit', '--no-fund'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolveRun() : reject(new Error(`npm ci in ${relative(REPO_ROOT, dir)} exited with ${code}`))
    );
  });
}

async function main() {
  const started = Date.now();
  const stale = pinnedLineDirs().filter((dir) => !upToDate(dir));
  await Promise.all(stale.map(npmCi));
  for (const dir of stale) {
    if (!upToDate(dir)) {
      throw new Error(`${relative(REPO_ROOT, dir)}: npm ci did not install the pinned versions`);
    }
  }
  const names = stale.map((dir) => relative(REPO_ROOT, dir)).join(', ');
  console.log(
    stale.length
      ? `Grafana lines installed in ${Math.round((Date.now() - started) / 1000)} s: ${names}`
      : 'Grafana lines already installed'
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
