/**
 * React 19 readiness of the plugin, the checks of Grafana's `@grafana/react-detect` done offline: from Grafana
 * 13.2 every plugin runs on Grafana's one React 19, which dropped or ignores the APIs below. Scans the source
 * (src/) and the built bundle (dist/module.js); prints one line per finding and exits 1 if there is any.
 *
 * Usage: `tsx tests/tools/react19.ts` (after `npm run build`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import { readAmdDependencies } from './amd';

export interface Finding {
  rule: string;
  file: string;
  line: number;
  excerpt: string;
  fix: string;
}

interface Rule {
  id: string;
  fix: string;
  /** Matches in source files (TypeScript, TSX). */
  source?: RegExp;
  /** Matches in the minified bundle. */
  bundle?: RegExp;
  /** A match is fine when this returns true (e.g. defaultProps on a class). */
  allowed?: (match: RegExpExecArray, text: string) => boolean;
}

/** `X.defaultProps = …` is fine on a class component and removed for function components in React 19. */
function onClass(match: RegExpExecArray, text: string): boolean {
  const name = match[1];
  return !name || new RegExp(`\\bclass\\s+${name.replace(/\$/g, '\\$')}\\b`).test(text);
}

export const RULES: Rule[] = [
  {
    id: 'defaultProps on a function component',
    fix: 'use default values in the parameter destructuring',
    source: /\b([A-Za-z_$][\w$]*)\.defaultProps\s*=/g,
    bundle: /\b([A-Za-z_$][\w$]*)\.defaultProps\s*=(?!=)/g,
    allowed: onClass,
  },
  {
    id: 'propTypes',
    fix: 'React 19 ignores propTypes: use TypeScript types',
    source: /\.propTypes\s*=|\bstatic\s+propTypes\b/g,
    bundle: /\.propTypes\s*=(?!=)|\bstatic\s+propTypes\b/g,
  },
  {
    id: 'string ref',
    fix: 'use useRef or a callback ref',
    source: /\bref\s*=\s*["'][^"']*["']|\bref\s*=\s*\{\s*["'`]|\bthis\.refs\b/g,
    bundle: /[{,]\s*ref\s*:\s*["'][^"']*["']|\bthis\.refs\b/g,
  },
  {
    id: 'findDOMNode',
    fix: 'use a ref to the DOM element',
    source: /\bfindDOMNode\b/g,
    bundle: /\bfindDOMNode\b/g,
  },
  {
    id: 'ReactDOM.render, hydrate or unmountComponentAtNode',
    fix: 'use createRoot / hydrateRoot from react-dom/client and root.unmount()',
    source:
      /\bReactDOM\s*\.\s*(render|hydrate|unmountComponentAtNode)\b|\bunmountComponentAtNode\b|import\s*\{[^}]*\b(render|hydrate)\b[^}]*\}\s*from\s*["']react-dom["']/g,
    bundle: /\bunmountComponentAtNode\b|\brenderSubtreeIntoContainer\b/g,
  },
  {
    id: 'legacy context',
    fix: 'use React.createContext and useContext',
    source: /\b(contextTypes|childContextTypes|getChildContext)\b/g,
    bundle: /\b(contextTypes|childContextTypes|getChildContext)\b/g,
  },
  {
    id: 'createFactory',
    fix: 'use JSX or React.createElement',
    source: /\bcreateFactory\b/g,
    bundle: /\bcreateFactory\b/g,
  },
  {
    id: 'React internals',
    fix: 'use public React APIs only: the internals were renamed in React 19',
    source: /__(SECRET|CLIENT|SERVER)_INTERNALS\w*/g,
    bundle: /__(SECRET|CLIENT|SERVER)_INTERNALS\w*/g,
  },
  {
    // React's element symbols exist only in React itself and its jsx-runtime; Grafana provides both.
    id: 'bundled React or react/jsx-runtime',
    fix: 'keep react and react/jsx-runtime external (the create-plugin webpack externals)',
    bundle: /Symbol\.for\(\s*["']react\.(transitional\.)?element["']\s*\)/g,
  },
];

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
    }
  }
  return line;
}

function excerptAt(text: string, index: number, length: number): string {
  return text
    .slice(Math.max(0, index - 30), index + length + 30)
    .replace(/\s+/g, ' ')
    .trim();
}

function scan(text: string, file: string, kind: 'source' | 'bundle'): Finding[] {
  const findings: Finding[] = [];
  for (const rule of RULES) {
    const pattern = rule[kind];
    if (!pattern) {
      continue;
    }
    const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!rule.allowed?.(m, text)) {
        findings.push({
          rule: rule.id,
          file,
          line: lineOf(text, m.index),
          excerpt: excerptAt(text, m.index, m[0].length),
          fix: rule.fix,
        });
      }
    }
  }
  return findings;
}

/** Findings in one TypeScript/TSX source file. */
export function scanSource(text: string, file = 'source'): Finding[] {
  return scan(text, file, 'source');
}

/** Findings in a built AMD bundle, including React modules that must be external and are not. */
export function scanBundle(text: string, file = 'module.js'): Finding[] {
  const findings = scan(text, file, 'bundle');
  const deps = readAmdDependencies(text);
  if (!deps.includes('react')) {
    findings.push({
      rule: 'React is not external',
      file,
      line: 1,
      excerpt: `define(${JSON.stringify(deps)}, …)`,
      fix: 'import React from "react" and keep it in the webpack externals',
    });
  }
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      return sourceFiles(path);
    }
    return /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const ROOT = resolve(__dirname, '../..');

/** Findings in src/ and dist/module.js of this repository. */
export function scanRepository(root = ROOT): { files: number; findings: Finding[] } {
  const files = sourceFiles(join(root, 'src'));
  const findings = files.flatMap((f) => scanSource(readFileSync(f, 'utf8'), relative(root, f)));
  const bundle = join(root, 'dist/module.js');
  if (!existsSync(bundle)) {
    throw new Error('dist/module.js is missing: run `npm run build` first.');
  }
  findings.push(...scanBundle(readFileSync(bundle, 'utf8'), 'dist/module.js'));
  return { files: files.length + 1, findings };
}

if (require.main === module) {
  try {
    const { files, findings } = scanRepository();
    for (const f of findings) {
      console.log(`✗ ${f.file}:${f.line} ${f.rule}: ${f.excerpt} (${f.fix})`);
    }
    console.log(
      findings.length
        ? `${findings.length} React 19 problem(s) in ${files} files.`
        : `React 19 readiness: ${files} files (src and dist/module.js), no problems.`
    );
    process.exit(findings.length ? 1 : 0);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
