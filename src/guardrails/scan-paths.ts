import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Finding, ScanOptions } from './finding.js';
import { loadRulePacks } from './rule-pack.js';
import { type FileKind, detectFileKind, scanFile } from './scan-file.js';
import { loadPgParser } from './sql/parse-postgres.js';
import { scanSql } from './sql/scan-sql.js';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache']);

/** A file found under the given paths: where it is, how it is shown (as the user gave it), its language. */
export interface FoundFile {
  absolute: string;
  display: string;
  kind: FileKind;
}

/**
 * Scans files and folders (recursively) with every rule that applies to each file's language.
 * A down migration scanned together with its up migration may drop what the up one created.
 */
export async function scanPaths(paths: string[], options: ScanOptions = {}): Promise<{ findings: Finding[]; filesScanned: number }> {
  const rules = loadRulePacks(options.rulePackDirs);
  await loadPgParser();
  const files = collectFiles(paths, options.cwd);
  const scanned = new Set(files.map((f) => f.absolute));
  const created = new Map<string, string[][]>();
  const findings: Finding[][] = [];
  const downs: [number, FoundFile, string][] = [];
  // One file in memory at a time: read, scan, let go.
  for (const [index, file] of files.entries()) {
    const up = findUpMigration(file.absolute);
    if (up && scanned.has(up)) {
      downs.push([index, file, up]);
      continue;
    }
    const text = readFoundFile(file);
    if (text === undefined) continue;
    const result = await scanFile({ kind: file.kind, text, file: file.display, rules, options });
    if (result.created.length > 0) created.set(file.absolute, result.created);
    findings[index] = result.findings;
  }
  for (const [index, file, up] of downs) {
    const text = readFoundFile(file);
    if (text === undefined) continue;
    const result = await scanFile({ kind: file.kind, text, file: file.display, rules, options, createdBefore: created.get(up) ?? [] });
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
export function findUpMigration(file: string): string | undefined {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let m = /^(.+)\.down\.sql$/i.exec(base);
  if (m) return path.join(dir, `${m[1]}.up.sql`);
  if (base.toLowerCase() === 'down.sql') return path.join(dir, 'up.sql');
  m = /^U([0-9][0-9._]*__.+\.sql)$/.exec(base);
  if (m) return path.join(dir, `V${m[1]}`);
  return undefined;
}

/**
 * Files under `paths` the scanners read, in a stable order; a path that does not exist is bad input.
 * Synchronous file system calls: thousands of small files are listed and read several times faster
 * than by awaiting each call.
 */
export function collectFiles(paths: string[], cwd = process.cwd(), filter?: (file: string) => boolean): FoundFile[] {
  const found: FoundFile[] = [];
  const seen = new Set<string>();
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    let st;
    try {
      st = statSync(absolute);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(`${given}: ${code === 'ENOENT' ? 'no such file or directory' : `cannot read it (${code ?? String(e)})`}`);
    }
    if (st.isDirectory()) {
      const prefix = given.endsWith('/') || given.endsWith(path.sep) ? given : `${given}/`;
      for (const entry of walk(absolute, '')) {
        addFile(found, seen, { absolute: path.join(absolute, entry.rel), display: prefix + entry.rel, isFile: entry.isFile }, filter, false);
      }
    } else {
      addFile(found, seen, { absolute, display: given, isFile: st.isFile() }, filter, true);
    }
  }
  return found;
}

/** Files under a folder, sorted; symbolic links are followed to files only (`isFile` unknown), never into folders. */
function walk(root: string, rel: string): { rel: string; isFile?: boolean }[] {
  const entries = readdirSync(path.join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: { rel: string; isFile?: boolean }[] = [];
  for (const e of entries) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) out.push(...walk(root, child));
    } else if (e.isFile()) out.push({ rel: child, isFile: true });
    else if (e.isSymbolicLink()) out.push({ rel: child });
  }
  return out;
}

function addFile(
  found: FoundFile[],
  seen: Set<string>,
  candidate: { absolute: string; display: string; isFile?: boolean },
  filter: ((file: string) => boolean) | undefined,
  explicit: boolean,
): void {
  const { absolute, display } = candidate;
  if (seen.has(absolute) || (filter && !filter(absolute))) return;
  let kind = detectFileKind(absolute);
  if (!kind && path.extname(absolute) !== '') return;
  try {
    if (!(candidate.isFile ?? statSync(absolute).isFile())) return;
    if (!kind) kind = detectFileKind(absolute, readHead(absolute));
  } catch (e) {
    if (!explicit) return;
    throw new InputError(`${display}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!kind) return;
  seen.add(absolute);
  found.push({ absolute, display, kind });
}

/** The file's text, or undefined for a binary file or one gone since it was listed. */
export function readFoundFile(file: FoundFile): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file.absolute);
  } catch {
    return undefined;
  }
  if (bytes.subarray(0, 8000).includes(0)) return undefined;
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString('utf8', start);
}

function readHead(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(200);
    const n = readSync(fd, buf, 0, 200, 0);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}
