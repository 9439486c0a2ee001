import type { ProjectFile, ProjectFiles } from './project-files.js';
import { lineAt, stringAt } from './source/lexed-source.js';

export interface ImportSite {
  /** The package (npm: `pino`, `@fastify/helmet`; Python: the top module, `structlog`) as imported. */
  module: string;
  /** The full specifier (`node:http`, `pythonjsonlogger.jsonlogger`). */
  specifier: string;
  file: ProjectFile;
  line: number;
}

/** Every import and require in the project's code (tests left out unless asked). */
export function indexImports(files: ProjectFiles, options: { tests?: boolean } = {}): ImportSite[] {
  const sites: ImportSite[] = [];
  for (const file of files.code({ tests: options.tests ?? false })) {
    if (file.language === 'python') collectPython(files, file, sites);
    else collectJavaScript(files, file, sites);
  }
  return sites;
}

function collectJavaScript(files: ProjectFiles, file: ProjectFile, sites: ImportSite[]): void {
  const source = files.lexed(file);
  const re = /(?<![.\w$])(?:from\s*|import\s*\(?\s*|require\s*\(\s*)(?=["'`])/g;
  for (const m of source.code.matchAll(re)) {
    const token = stringAt(source, m.index + m[0].length);
    if (!token || token.interpolated) continue;
    sites.push({ module: npmPackage(token.value), specifier: token.value, file, line: lineAt(source, token.start) });
  }
}

function collectPython(files: ProjectFiles, file: ProjectFile, sites: ImportSite[]): void {
  const source = files.lexed(file);
  for (const m of source.code.matchAll(/^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([\w., \t]+))/gm)) {
    const line = lineAt(source, m.index);
    const names = m[1] ? [m[1]] : (m[2] ?? '').split(',').map((s) => s.trim().split(/\s+/)[0] ?? '');
    for (const name of names) {
      if (!name || name.startsWith('.')) continue;
      sites.push({ module: name.split('.')[0] ?? name, specifier: name, file, line });
    }
  }
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`, `node:http` -> `http`. */
export function npmPackage(specifier: string): string {
  const bare = specifier.replace(/^node:/, '');
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? bare);
}

export function findImport(sites: ImportSite[], modules: readonly string[]): ImportSite | undefined {
  return sites.find((s) => modules.includes(s.module) || modules.includes(s.specifier));
}
