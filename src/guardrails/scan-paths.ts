import { closeSync, fstatSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { InputError } from '../errors.js';
import { decodeText, readFileHead } from './decode-text.js';
import type { Finding, ScanOptions } from './finding.js';
import { ParseErrorList } from './parse-errors.js';
import { noteTextToScan } from './optimizing-compiler.js';
import { loadRulePacks } from './rule-pack.js';
import { type FileKind, type FileScanInput, type FileScanResult, detectFileKind, scanFile } from './scan-file.js';
import { scanLargeSqlFile, scansInChunks } from './scan-large-sql.js';
import { loadPgParser, withPgParser } from './sql/parse-postgres.js';
import { scanSql } from './sql/scan-sql.js';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache']);

/** Characters above which a file is not read twice for the parser's sake. */
const RESCAN_LIMIT = 256 * 1024;

/**
 * Characters from which V8 is asked to collect garbage sooner (optimize-for-size): reading a large
 * seed file makes ~250 bytes of short-lived objects per statement, which V8 would otherwise let
 * pile up to over 4x the file (measured by bench/scan-cli-bench.ts). Process-wide, and kept.
 */
const LARGE_FILE = 8 * 1024 * 1024;

function keepHeapSmall(): void {
  v8.setFlagsFromString('--optimize-for-size');
}

/** After a file scanned in chunks: the files after it (small ones, mostly) run at V8's usual pace again. */
function letHeapGrow(): void {
  v8.setFlagsFromString('--no-optimize-for-size');
}

/** A file found under the given paths: where it is, how it is shown (as the user gave it), its language. */
export interface FoundFile {
  absolute: string;
  display: string;
  kind: FileKind;
}

/** What a scan found, and what it could not read: a scan never passes silently over what it skipped. */
export interface ScanResult {
  findings: Finding[];
  filesScanned: number;
  /** Files not read, and why (binary, an undecodable encoding, no scanner for a file named explicitly). */
  notScanned: { file: string; reason: string }[];
  /** Where a parser rejected the text and the tokenizer (or an error-tolerant tree) read it instead. */
  parseErrors: ParseErrorList;
}

/**
 * Scans files and folders (recursively) with every rule that applies to each file's language.
 * A down migration scanned together with its up migration may drop what the up one created.
 */
export async function scanPaths(
  paths: string[],
  options: ScanOptions = {},
  /** Each file's findings as soon as they are known (not kept); the scan waits for what it returns (a reader slower than the scan). */
  onFindings?: (findings: Finding[]) => void | Promise<void>,
): Promise<ScanResult> {
  const rules = await loadRulePacks(options.rulePackDirs);
  const notScanned: ScanResult['notScanned'] = [];
  const files = collectFiles(paths, options.cwd, undefined, notScanned);
  const scanned = new Set(files.map((f) => f.absolute));
  const created = new Map<string, string[][]>();
  const findings: Finding[][] = [];
  const parseErrors = new ParseErrorList();
  const downs: [number, FoundFile, string][] = [];
  const added = new Map<string, string[]>();
  /** Up migrations whose down migration is scanned too (it asks what they created and added). */
  const ups = new Set(files.map((f) => findUpMigration(f.absolute)).filter((up) => up !== undefined && scanned.has(up)));
  const scanOne = async (index: number, file: FoundFile, up?: string): Promise<void> => {
    const before = up ? { createdBefore: created.get(up) ?? [], addedBefore: added.get(up) ?? [] } : {};
    // A large SQL file: read and scanned in chunks when it can be (else read whole).
    const large = file.kind === 'sql' ? readFoundFile(file, scansInChunks) : undefined;
    const chunked = large && 'bytes' in large ? await scanInChunks(large.bytes, { file: file.display, absolute: file.absolute, kind: file.kind, rules, options, ...before }, ups.has(file.absolute)) : undefined;
    if (chunked) return await keepResult(index, file, chunked);
    const read = large && !('bytes' in large) ? large : readFoundFile(file);
    if ('error' in read) {
      notScanned.push({ file: file.display, reason: read.error });
      const f = rules.makeFinding('unreadable-file', { file: file.display, line: 1, detail: read.error }, options);
      await keep(index, f ? [f] : []);
      return;
    }
    const input = { kind: file.kind, text: read.text, file: file.display, absolute: file.absolute, rules, options };
    // The Postgres parser loads on the first statement that needs it (that file is then read again);
    // before a large file, it loads first, so the file is read once.
    if (read.text.length > RESCAN_LIMIT && (file.kind === 'sql' || file.kind === 'python')) await loadPgParser();
    if (read.text.length > LARGE_FILE) keepHeapSmall();
    noteTextToScan(read.text.length);
    await keepResult(index, file, await withPgParser(() => scanFile({ ...input, ...before })));
  };
  const keepResult = async (index: number, file: FoundFile, result: FileScanResult): Promise<void> => {
    if (result.created.length > 0) created.set(file.absolute, result.created);
    if (result.added && result.added.length > 0) added.set(file.absolute, result.added);
    if (result.parseErrors) parseErrors.addList(result.parseErrors, file.display);
    if (result.unread) {
      notScanned.push({ file: file.display, reason: result.unread });
      const f = rules.makeFinding('unreadable-file', { file: file.display, line: 1, detail: result.unread }, options);
      if (f) result.findings.push(f);
    }
    const parts = result.findingParts?.();
    if (!parts) return keep(index, result.findings);
    // A large file's findings, part by part (in line order from part to part): never all as objects when streamed.
    if (!onFindings) return keep(index, [...result.findings, ...[...parts].flat()]);
    if (result.findings.length > 0) await keep(index, result.findings);
    for (const part of parts) await keep(index, part);
  };
  // Streaming: each file's findings go to the caller as soon as they are known, and are not kept.
  const keep = async (index: number, found: Finding[]): Promise<void> => {
    found.sort((a, b) => a.line - b.line);
    if (onFindings) await onFindings(found);
    else findings[index] = found;
  };
  // One file in memory at a time: read, scan, let go.
  for (const [index, file] of files.entries()) {
    const up = findUpMigration(file.absolute);
    if (up && scanned.has(up)) downs.push([index, file, up]);
    else await scanOne(index, file);
  }
  for (const [index, file, up] of downs) await scanOne(index, file, up);
  return {
    findings: findings.flatMap((f) => f ?? []),
    filesScanned: files.length - notScanned.filter((n) => files.some((f) => f.display === n.file)).length,
    notScanned,
    parseErrors,
  };
}

/** A large SQL file scanned chunk by chunk (the parser loaded first), or undefined when it must be read whole. */
async function scanInChunks(
  bytes: number,
  input: Omit<FileScanInput, 'text'> & { absolute: string },
  keepAdditions: boolean,
): Promise<FileScanResult | undefined> {
  await loadPgParser();
  // Every file read in chunks runs the same way (a 5 MB file as a 50 MB one: time in proportion to size).
  keepHeapSmall();
  noteTextToScan(bytes);
  try {
    return await withPgParser(() => scanLargeSqlFile(input, keepAdditions));
  } finally {
    letHeapGrow();
  }
}

/**
 * SQL rules over one text, often a fragment taken from code (a migration's RunSQL): `file` only
 * labels the findings; text that starts no statement and a missing lock_timeout are not reported.
 */
export async function scanSqlText(text: string, file: string, options: ScanOptions = {}): Promise<Finding[]> {
  const rules = await loadRulePacks(options.rulePackDirs);
  const scanned = await withPgParser(() => scanSql({ text, file, rules, options, reportUnreadable: false, checkLockTimeout: false }));
  return scanned.findings.sort((a, b) => a.line - b.line);
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
export function collectFiles(
  paths: string[],
  cwd = process.cwd(),
  filter?: (file: string) => boolean,
  notScanned?: { file: string; reason: string }[],
): FoundFile[] {
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
      const added = addFile(found, seen, { absolute, display: given, isFile: st.isFile() }, filter, true);
      if (!added && st.isFile() && !seen.has(absolute)) notScanned?.push({ file: given, reason: describeUnscanned(absolute) });
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
): boolean {
  const { absolute, display } = candidate;
  if (seen.has(absolute) || (filter && !filter(absolute))) return false;
  let kind = detectFileKind(absolute);
  if (!kind && path.extname(absolute) !== '' && !explicit) return false;
  try {
    if (!(candidate.isFile ?? statSync(absolute).isFile())) return false;
    if (!kind) kind = detectFileKind(absolute, readFileHead(absolute, 200));
  } catch (e) {
    if (!explicit) return false;
    throw new InputError(`${display}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!kind) return false;
  seen.add(absolute);
  found.push({ absolute, display, kind });
  return true;
}

/** Why a file named on the command line is not scanned. */
function describeUnscanned(file: string): string {
  try {
    const head = readFileSync(file).subarray(0, 8000);
    if (head.includes(0) && 'error' in decodeText(head)) return 'binary content, not scanned';
  } catch (e) {
    return `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  return 'no scanner reads this kind of file (SQL, Python, JavaScript/TypeScript, shell), not scanned';
}

/**
 * The file's text (decoded by its byte order mark, lone CRs read as line ends), or why it cannot be
 * read; or only its size when `readInParts` says a file that large is read otherwise.
 */
export function readFoundFile(file: FoundFile): { text: string } | { error: string };
export function readFoundFile(file: FoundFile, readInParts: (bytes: number) => boolean): { text: string } | { error: string } | { bytes: number };
export function readFoundFile(file: FoundFile, readInParts?: (bytes: number) => boolean): { text: string } | { error: string } | { bytes: number } {
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(file.absolute, 'r');
    if (readInParts) {
      const size = fstatSync(fd).size;
      if (readInParts(size)) return { bytes: size };
    }
    bytes = readFileSync(fd);
  } catch (e) {
    return { error: `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return decodeText(bytes);
}
