import { lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { languageForPath } from '../parsing/parse-source.js';
import { computeLineStarts, type LexedSource } from './source/lexed-source.js';
import { lexSource } from './source/lex-source.js';
import type { ReviewCoverage } from './types.js';
import { isTestFixture, sideToolReason } from './service/production-scope.js';

// Folders that hold dependencies, build output or caches: never the project's own code.
const SKIPPED_DIRS = new Set([
  'node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'venv', '.venv', '__pycache__', 'site-packages',
  'coverage', '.nyc_output', '.next', '.nuxt', '.svelte-kit', '.turbo', '.cache', '.parcel-cache', '.tox', '.nox',
  '.mypy_cache', '.pytest_cache', '.ruff_cache', '.eggs', 'bower_components', 'jspm_packages', '.yarn', '.pnpm-store',
  '.idea', '.vscode', '.aibrain', 'htmlcov', '.terraform', '.serverless', '.vercel', '.output',
  // Third-party code copied into the tree (pip's _vendor, Go-style vendor/, Chromium-style third_party/).
  'vendor', '_vendor', 'vendored', 'third_party',
]);

const MAX_FILE_BYTES = 1_000_000;
/** What a review reads at most, all files together: enough for a large service, far from the heap limit. */
export const DEFAULT_BUDGET_BYTES = 64 * 1024 * 1024;

// Never read: binaries, media, archives, lock files, source maps, minified bundles.
const NOT_READ =
  /\.(?:png|jpe?g|gif|ico|svg|webp|bmp|tiff?|woff2?|ttf|otf|eot|mp[34]|mov|avi|webm|wav|ogg|zip|gz|tgz|bz2|xz|7z|rar|jar|war|pdf|docx?|xlsx?|pptx?|so|dylib|dll|exe|bin|o|a|pyc|pyo|class|wasm|map|sqlite3?|db|parquet|pkl|npy|h5|onnx|pt|ckpt|safetensors)$|(?:^|\/)(?:yarn\.lock|pnpm-lock\.yaml|poetry\.lock|Pipfile\.lock|uv\.lock|composer\.lock|Cargo\.lock)$|\.min\.(?:js|css)$/i;

export type Language = 'javascript' | 'python';

const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx']);
const DOC_EXTENSIONS = new Set(['.md', '.markdown', '.mdx', '.rst', '.adoc', '.txt']);

export interface ProjectFile {
  /** Relative to the project, with `/` separators. */
  rel: string;
  abs: string;
  size: number;
  language?: Language;
  /** A test, spec, fixture or mock: not what runs in production. */
  test: boolean;
  /** Not what the service runs: build and tool configuration (vite.config.ts, .eslintrc.js, setup.py), examples, docs, benchmarks, side tools (see production-scope.ts). */
  toolConfig: boolean;
  /** Why the file is not part of the production service (`side tool in extra/`), when it is not. */
  outOfScope?: string;
  /** Browser-side code (components, client folders): it makes no outgoing calls of the service. */
  clientSide: boolean;
  doc: boolean;
  /** Over the byte budget or the per-file limit: listed, never read. */
  skipped?: string;
}

/** The files of a project, read once and lexed once, shared by every check. */
export class ProjectFiles {
  readonly root: string;
  readonly files: ProjectFile[];
  readonly #byRel = new Map<string, ProjectFile>();
  readonly #texts = new Map<string, string>();
  readonly #lexed = new Map<string, LexedSource>();

  readonly budgetBytes: number;

  constructor(root: string, budgetBytes: number = DEFAULT_BUDGET_BYTES) {
    this.root = root;
    this.budgetBytes = budgetBytes;
    this.files = [];
    let realRoot = root;
    try {
      realRoot = realpathSync(root);
    } catch {
      realRoot = root;
    }
    walk({ root, realRoot, seen: new Set([realRoot]) }, '', this.files);
    for (const f of this.files) this.#byRel.set(f.rel, f);
    applyBudget(this.files, budgetBytes);
  }

  /** What was read and what the budget left out. */
  coverage(): ReviewCoverage {
    const read = this.files.filter((f) => !f.skipped && !NOT_READ.test(f.rel));
    const skipped = this.files.filter((f) => f.skipped);
    return {
      filesRead: read.length,
      bytesRead: read.reduce((sum, f) => sum + f.size, 0),
      budgetBytes: this.budgetBytes,
      skipped: skipped.slice(0, 20).map((f) => ({ file: f.rel, bytes: f.size, why: f.skipped ?? '' })),
      skippedCount: skipped.length,
      skippedBytes: skipped.reduce((sum, f) => sum + f.size, 0),
    };
  }

  get(rel: string): ProjectFile | undefined {
    return this.#byRel.get(rel);
  }

  text(file: ProjectFile | string): string {
    const f = typeof file === 'string' ? this.#byRel.get(file) : file;
    if (!f) return '';
    let text = this.#texts.get(f.rel);
    if (text === undefined) {
      text = f.skipped || NOT_READ.test(f.rel) ? '' : safeRead(f.abs);
      this.#texts.set(f.rel, text);
    }
    return text;
  }

  /** Parses every code file the budget holds (tests left out), once: the checks then read them synchronously. */
  async prepare(): Promise<void> {
    for (const file of this.files) {
      if (file.language === undefined || file.skipped || file.test || this.#lexed.has(file.rel)) continue;
      const grammar = languageForPath(file.rel);
      const text = this.text(file);
      this.#lexed.set(file.rel, grammar ? await lexSource(grammar, text) : unparsed(text));
    }
  }

  /** The file seen as code (see prepare); a file that was not prepared is seen as all code, no strings. */
  lexed(file: ProjectFile): LexedSource {
    return this.#lexed.get(file.rel) ?? unparsed(this.text(file));
  }

  /** Code files of the project, by default leaving out tests. */
  code(options: { tests?: boolean; toolConfig?: boolean; language?: Language } = {}): ProjectFile[] {
    return this.files.filter(
      (f) =>
        f.language !== undefined &&
        !f.skipped &&
        (options.tests || !f.test) &&
        (options.toolConfig !== false || !f.toolConfig) &&
        (!options.language || f.language === options.language),
    );
  }

  docs(): ProjectFile[] {
    return this.files.filter((f) => f.doc && !f.skipped);
  }
}

interface Walk {
  root: string;
  realRoot: string;
  /** Real paths of the folders walked: a symlink loop is walked once. */
  seen: Set<string>;
}

function walk(w: Walk, relDir: string, out: ProjectFile[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(path.join(w.root, relDir), { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const dirs: string[] = [];
  for (const entry of entries) {
    const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
    let kind: 'dir' | 'file' | null = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : null;
    if (entry.isSymbolicLink()) kind = followLink(w, rel);
    if (kind === 'dir') {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.endsWith('.egg-info') && !isVirtualenv(w.root, rel)) dirs.push(rel);
    } else if (kind === 'file') {
      out.push(describe(w.root, rel));
    }
  }
  for (const dir of dirs) {
    let real = path.join(w.root, dir);
    try {
      real = realpathSync(real);
    } catch {
      continue;
    }
    if (w.seen.has(real)) continue;
    w.seen.add(real);
    walk(w, dir, out);
  }
}

/** A symlink is followed when it points inside the repository (a `ROLLBACK.md -> docs/rollback.md`). */
function followLink(w: Walk, rel: string): 'dir' | 'file' | null {
  try {
    const real = realpathSync(path.join(w.root, rel));
    if (real !== w.realRoot && !real.startsWith(`${w.realRoot}${path.sep}`)) return null;
    const stat = statSync(real);
    return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

/**
 * Marks what the budget cannot hold: documents and manifests first, then the service's code from
 * the top of the tree down, then tests. Every file over the per-file limit is left out.
 */
function applyBudget(files: ProjectFile[], budget: number): void {
  const rank = (f: ProjectFile): number => (f.language === undefined ? 0 : f.test || f.toolConfig ? 2 : 1);
  const readable = files
    .filter((f) => !NOT_READ.test(f.rel))
    .sort((a, b) => rank(a) - rank(b) || a.rel.split('/').length - b.rel.split('/').length || a.size - b.size);
  let used = 0;
  for (const f of readable) {
    if (f.size > MAX_FILE_BYTES) {
      f.skipped = `over ${MAX_FILE_BYTES} bytes`;
      continue;
    }
    if (used + f.size > budget) {
      f.skipped = 'over the review\'s byte budget';
      continue;
    }
    used += f.size;
  }
}

function isVirtualenv(root: string, rel: string): boolean {
  try {
    return lstatSync(path.join(root, rel, 'pyvenv.cfg')).isFile();
  } catch {
    return false;
  }
}

function describe(root: string, rel: string): ProjectFile {
  const abs = path.join(root, rel);
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  const ext = path.extname(base).toLowerCase();
  let size = 0;
  try {
    size = statSync(abs).size;
  } catch {
    size = 0;
  }
  let language: Language | undefined;
  if (JS_EXTENSIONS.has(ext) && !/\.d\.[cm]?ts$/.test(base) && !/\.min\.js$/.test(base)) language = 'javascript';
  else if (ext === '.py') language = 'python';
  const sideTool = sideToolReason(rel);
  const file: ProjectFile = {
    rel,
    abs,
    size,
    test: isTestPath(rel, base) || isTestFixture(rel),
    toolConfig: isToolConfig(rel, base) || sideTool !== undefined,
    clientSide: language === 'javascript' && isClientSide(rel, ext),
    doc: isDoc(rel, base, ext),
  };
  if (language) file.language = language;
  if (sideTool) file.outOfScope = sideTool;
  return file;
}

function isDoc(rel: string, base: string, ext: string): boolean {
  if (!DOC_EXTENSIONS.has(ext) || /^(?:license|licence|copying|notice|authors|contributors)\b/i.test(base)) return false;
  if (ext !== '.txt') return true;
  return /(?:^|\/)docs?\//.test(rel) || /^(?:readme|deploy|runbook|rollback|operations|install)/i.test(base);
}

const TEST_DIRS = /(?:^|\/)(?:tests?|__tests__|__mocks__|specs?|e2e|cypress|playwright|fixtures?|testing|testdata|test_utils|mocks?)\//i;

function isTestPath(rel: string, base: string): boolean {
  return (
    TEST_DIRS.test(rel) ||
    /\.(?:test|spec|e2e|stories)\.[cm]?[jt]sx?$/.test(base) ||
    /^test_.*\.py$|_tests?\.py$|^conftest\.py$/.test(base)
  );
}

function isToolConfig(rel: string, base: string): boolean {
  return (
    // vite.config.ts, jest.config.js: a tool's; src/config/app.config.ts (NestJS registerAs) is the service's own configuration.
    (/\.config\.[cm]?[jt]s$/.test(base) && !/(?:^|\/)(?:src|lib|app|config)\//.test(rel)) ||
    /^\.[\w-]+rc\.[cm]?js$/.test(base) ||
    /^(?:gulpfile|gruntfile|jakefile|setup|noxfile|fabfile|tasks|conftest)\.(?:[cm]?js|ts|py)$/i.test(base) ||
    /(?:^|\/)docs?\/conf\.py$/.test(rel) ||
    // Alembic's and Flask-Migrate's env.py runs the migration tool, not the service.
    /(?:^|\/)(?:migrations|alembic)\/env\.py$/.test(rel) ||
    /(?:^|\/)(?:examples?|samples?|bench(?:es|marks?)?|docs?|scripts?\/dev|tools?\/dev)\//.test(rel)
  );
}

function isClientSide(rel: string, ext: string): boolean {
  if (ext === '.jsx' || ext === '.tsx') return true;
  if (/(?:^|\/)pages\/api\//.test(rel)) return false;
  return /(?:^|\/)(?:client|frontend|public|static|browser|www|web-?ui|ui(?:-v\d+)?|webapp|spa|dashboard-ui|components|pages)\//.test(rel);
}

function unparsed(text: string): LexedSource {
  return { text, code: text, strings: [], lineStarts: computeLineStarts(text) };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
