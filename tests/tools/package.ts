/**
 * The release archive Grafana installs (`grafana cli --pluginUrl`, or unpacked into the plugins folder): a zip whose
 * one top folder is named by the plugin id and holds the contents of dist/, with its SHA-1 and MD5 checksums
 * beside it (`<archive>.sha1`, `<archive>.md5`, in the format of `sha1sum`/`md5sum`). Sign first (`npm run sign`)
 * to include the signature manifest.
 *
 * Usage: `npm run package` (after `npm run build`) → artifacts/<id>-<version>.zip.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { zipSync } from 'fflate';

export const ROOT = resolve(__dirname, '../..');
export const DIST = join(ROOT, 'dist');
export const ARTIFACTS = join(ROOT, 'artifacts');

/** The checksum files Grafana's plugin release tooling publishes next to an archive. */
export const CHECKSUMS = { sha1: '.sha1', md5: '.md5' } as const;

export interface PluginMeta {
  id: string;
  version: string;
  updated?: string;
}

export function readDistMeta(dist = DIST): PluginMeta {
  const path = join(dist, 'plugin.json');
  if (!existsSync(path)) {
    throw new Error('dist/plugin.json is missing: run `npm run build` first.');
  }
  const plugin = JSON.parse(readFileSync(path, 'utf8')) as { id: string; info: { version: string; updated?: string } };
  return { id: plugin.id, version: plugin.info.version, updated: plugin.info.updated };
}

/** `<id>-<version>.zip`, the name Grafana's release workflows give the archive. */
export function archiveName(meta: PluginMeta): string {
  return `${meta.id}-${meta.version}.zip`;
}

/** Every file under `dir`, as paths relative to it with `/` separators, sorted. */
export function listFiles(dir: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : [relative(dir, join(d, e.name)).split('\\').join('/')]
    );
  return walk(dir).sort();
}

export function checksumLine(algorithm: keyof typeof CHECKSUMS, data: Uint8Array, name: string): string {
  return `${createHash(algorithm).update(data).digest('hex')}  ${name}\n`;
}

export function packagePlugin(dist = DIST, out = ARTIFACTS): { archive: string; files: number } {
  const meta = readDistMeta(dist);
  const files = listFiles(dist);
  // The build date as every entry's time, so the same build gives the same archive.
  const mtime = meta.updated && !Number.isNaN(Date.parse(meta.updated)) ? new Date(meta.updated) : new Date(0);
  // Folder entries too (the top folder first), as `zip -r` writes them: some unpackers need them.
  const folders = [
    ...new Set(
      files.flatMap((f) =>
        f
          .split('/')
          .slice(0, -1)
          .map((_, i, parts) => parts.slice(0, i + 1).join('/'))
      )
    ),
  ];
  const entries = Object.fromEntries([
    [`${meta.id}/`, [new Uint8Array(0), { mtime }] as const],
    ...folders.sort().map((d) => [`${meta.id}/${d}/`, [new Uint8Array(0), { mtime }] as const]),
    ...files.map((f) => [`${meta.id}/${f}`, [new Uint8Array(readFileSync(join(dist, f))), { mtime }] as const]),
  ]);
  const zip = zipSync(entries, { level: 9, mtime });
  mkdirSync(out, { recursive: true });
  const archive = join(out, archiveName(meta));
  writeFileSync(archive, zip);
  for (const [algorithm, suffix] of Object.entries(CHECKSUMS)) {
    writeFileSync(archive + suffix, checksumLine(algorithm as keyof typeof CHECKSUMS, zip, basename(archive)));
  }
  return { archive, files: files.length };
}

if (require.main === module) {
  try {
    const { archive, files } = packagePlugin();
    console.log(`${relative(ROOT, archive)}: ${files} files, with ${Object.values(CHECKSUMS).join(' and ')} checksums`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
