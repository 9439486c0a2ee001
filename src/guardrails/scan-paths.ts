import { readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Finding, ScanOptions } from './finding.js';
import { loadRulePacks } from './rule-pack.js';
import { type FileKind, fileKind, scanFile } from './scan-file.js';
import { loadPgParser } from './sql/pg-parser.js';
import { scanSql } from './sql/scan-sql.js';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache']);

/** A file found under the given paths: where it is and how it is shown (as the user gave it). */
export interface FoundFile {
  absolute: string;
  display: string;
  kind: FileKind;
  text: string;
}

/**
 * Scans files and folders (recursively) with every rule that applies to each file's language.
 * A down migration scanned together with its up migration may drop what the up one created.
 */
export async function scanPaths(paths: string[], options: ScanOptions = {}): Promise<{ findings: Finding[]; filesScanned: number }> {
  const rules = loadRulePacks(options.rulePackDirs);
  await loadPgParser();
  const files = await collectFiles(paths, options.cwd);
  const byPath = new Map(files.map((f) => [f.absolute, f]));
  const created = new Map<string, string[][]>();
  const findings: Finding[][] = [];
  const downs: [number, FoundFile, string][] = [];
  for (const [index, file] of files.entries()) {
    const up = upMigrationOf(file.absolute);
    if (up && byPath.has(up)) {
      downs.push([index, file, up]);
      continue;
    }
    const result = await scanFile({ ...file, file: file.display, rules, options });
    created.set(file.absolute, result.created);
    findings[index] = result.findings;
  }
  for (const [index, file, up] of downs) {
    const result = await scanFile({ ...file, file: file.display, rules, options, createdBefore: created.get(up) ?? [] });
    findings[index] = result.findings;
  }
  return { findings: findings.flatMap((f) => (f ?? []).sort((a, b) => a.line - b.line)), filesScanned: files.length };
}

/** SQL rules over one text; `file` is only used to label the findings. */
export async function scanSqlText(text: string, file: string, options: ScanOptions = {}): Promise<Finding[]> {
  const rules = loadRulePacks(options.rulePackDirs);
  await loadPgParser();
  return scanSql({ text, file, rules, options }).findings.sort((a, b) => a.line - b.line);
}

/** The up migration a down/undo file reverts: x.down.sql -> x.up.sql, dir/down.sql -> dir/up.sql, U1__a.sql -> V1__a.sql. */
export function upMigrationOf(file: string): string | undefined {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let m = /^(.+)\.down\.sql$/i.exec(base);
  if (m) return path.join(dir, `${m[1]}.up.sql`);
  if (base.toLowerCase() === 'down.sql') return path.join(dir, 'up.sql');
  m = /^U([0-9][0-9._]*__.+\.sql)$/.exec(base);
  if (m) return path.join(dir, `V${m[1]}`);
  return undefined;
}

/** Files under `paths` the scanners read, in a stable order; a path that does not exist is bad input. */
export async function collectFiles(paths: string[], cwd = process.cwd(), filter?: (file: string) => boolean): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const seen = new Set<string>();
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    let st;
    try {
      st = await stat(absolute);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(`${given}: ${code === 'ENOENT' ? 'no such file or directory' : `cannot read it (${code ?? String(e)})`}`);
    }
    if (st.isDirectory()) {
      const prefix = given.endsWith('/') || given.endsWith(path.sep) ? given : `${given}/`;
      for (const rel of await walk(absolute, '')) {
        addFile(found, seen, path.join(absolute, rel), prefix + rel, filter, false);
      }
    } else {
      addFile(found, seen, absolute, given, filter, true);
    }
  }
  return found;
}

async function walk(root: string, rel: string): Promise<string[]> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) out.push(...(await walk(root, child)));
    } else if (e.isFile() || e.isSymbolicLink()) out.push(child);
  }
  return out;
}

function addFile(found: FoundFile[], seen: Set<string>, absolute: string, display: string, filter: ((file: string) => boolean) | undefined, explicit: boolean): void {
  if (seen.has(absolute) || (filter && !filter(absolute))) return;
  const known = fileKind(absolute);
  if (!known && path.extname(absolute) !== '') return;
  let text: string;
  try {
    // Synchronous reads: thousands of small files read one after another are several times faster
    // than awaiting each one, and the scan that follows is synchronous anyway.
    if (!statSync(absolute).isFile()) return;
    text = readFileSync(absolute, 'utf8');
  } catch (e) {
    if (!explicit) return;
    throw new InputError(`${display}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (text.slice(0, 8000).includes('\u0000')) return;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const kind = known ?? fileKind(absolute, text.slice(0, 200));
  if (!kind) return;
  seen.add(absolute);
  found.push({ absolute, display, kind, text });
}
