import { lstatSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { LexedSource } from './source/lexed-source.js';
import { lexJavaScript } from './source/lex-javascript.js';
import { lexPython } from './source/lex-python.js';

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
  /** Not what the service runs: build and tool configuration (vite.config.ts, .eslintrc.js, setup.py), examples, docs, benchmarks. */
  toolConfig: boolean;
  /** Browser-side code (components, client folders): it makes no outgoing calls of the service. */
  clientSide: boolean;
  doc: boolean;
}

/** The files of a project, read once and lexed once, shared by every check. */
export class ProjectFiles {
  readonly root: string;
  readonly files: ProjectFile[];
  readonly #byRel = new Map<string, ProjectFile>();
  readonly #texts = new Map<string, string>();
  readonly #lexed = new Map<string, LexedSource>();

  constructor(root: string) {
    this.root = root;
    this.files = [];
    walk(root, '', this.files);
    for (const f of this.files) this.#byRel.set(f.rel, f);
  }

  get(rel: string): ProjectFile | undefined {
    return this.#byRel.get(rel);
  }

  text(file: ProjectFile | string): string {
    const f = typeof file === 'string' ? this.#byRel.get(file) : file;
    if (!f) return '';
    let text = this.#texts.get(f.rel);
    if (text === undefined) {
      text = f.size > MAX_FILE_BYTES ? '' : safeRead(f.abs);
      this.#texts.set(f.rel, text);
    }
    return text;
  }

  lexed(file: ProjectFile): LexedSource {
    let lexed = this.#lexed.get(file.rel);
    if (!lexed) {
      const text = this.text(file);
      lexed = file.language === 'python' ? lexPython(text) : lexJavaScript(text);
      this.#lexed.set(file.rel, lexed);
    }
    return lexed;
  }

  /** Code files of the project, by default leaving out tests. */
  code(options: { tests?: boolean; toolConfig?: boolean; language?: Language } = {}): ProjectFile[] {
    return this.files.filter(
      (f) =>
        f.language !== undefined &&
        (options.tests || !f.test) &&
        (options.toolConfig !== false || !f.toolConfig) &&
        (!options.language || f.language === options.language),
    );
  }

  docs(): ProjectFile[] {
    return this.files.filter((f) => f.doc);
  }
}

function walk(root: string, relDir: string, out: ProjectFile[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(path.join(root, relDir), { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const dirs: string[] = [];
  for (const entry of entries) {
    const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.endsWith('.egg-info') && !isVirtualenv(root, rel)) dirs.push(rel);
    } else if (entry.isFile()) {
      out.push(describe(root, rel));
    }
  }
  for (const dir of dirs) walk(root, dir, out);
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
    size = lstatSync(abs).size;
  } catch {
    size = 0;
  }
  let language: Language | undefined;
  if (JS_EXTENSIONS.has(ext) && !/\.d\.[cm]?ts$/.test(base) && !/\.min\.js$/.test(base)) language = 'javascript';
  else if (ext === '.py') language = 'python';
  const file: ProjectFile = {
    rel,
    abs,
    size,
    test: isTestPath(rel, base),
    toolConfig: isToolConfig(rel, base),
    clientSide: language === 'javascript' && isClientSide(rel, ext),
    doc: isDoc(rel, base, ext),
  };
  if (language) file.language = language;
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
    /\.config\.[cm]?[jt]s$/.test(base) ||
    /^\.[\w-]+rc\.[cm]?js$/.test(base) ||
    /^(?:gulpfile|gruntfile|jakefile|setup|noxfile|fabfile|tasks|conftest)\.(?:[cm]?js|ts|py)$/i.test(base) ||
    /(?:^|\/)docs?\/conf\.py$/.test(rel) ||
    /(?:^|\/)(?:examples?|bench(?:marks?)?|docs?)\//.test(rel)
  );
}

function isClientSide(rel: string, ext: string): boolean {
  if (ext === '.jsx' || ext === '.tsx') return true;
  if (/(?:^|\/)pages\/api\//.test(rel)) return false;
  return /(?:^|\/)(?:client|frontend|public|static|browser|www|web-ui|ui|components|pages)\//.test(rel);
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
