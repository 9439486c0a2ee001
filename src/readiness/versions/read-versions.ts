import type { ProjectFiles } from '../project-files.js';
import { lineAt } from '../source/lexed-source.js';
import { parseVersion, type ParsedVersion } from './compare-versions.js';

export interface VersionSource {
  version: ParsedVersion;
  /** `package.json:3` */
  location: string;
}

// Versions that mean "never set": a manifest carrying one does not version releases.
const UNSET_VERSIONS = new Set(['0.0.0', '0.0.0-development', '0.0.0-dev']);

/** The version each manifest at the project's root declares (package.json, its lock, pyproject, setup, __version__). */
export function readManifestVersions(files: ProjectFiles): VersionSource[] {
  const out: VersionSource[] = [];
  const add = (file: string, text: string, index: number, value: string | undefined): void => {
    const version = value ? parseVersion(value) : undefined;
    if (version && !UNSET_VERSIONS.has(version.raw)) out.push({ version, location: `${file}:${lineOf(text, index)}` });
  };
  const pkgVersion = jsonVersion(files.text('package.json'));
  if (pkgVersion) {
    add('package.json', files.text('package.json'), pkgVersion.index, pkgVersion.value);
    const lockVersion = jsonVersion(files.text('package-lock.json'));
    if (lockVersion) add('package-lock.json', files.text('package-lock.json'), lockVersion.index, lockVersion.value);
  }
  const pyproject = files.text('pyproject.toml');
  const pySection = /^\[(?:project|tool\.poetry)\][^[]*?^version\s*=\s*["']([^"']+)["']/ms.exec(pyproject);
  if (pySection) add('pyproject.toml', pyproject, pySection.index + pySection[0].lastIndexOf('version'), pySection[1]);
  const setupCfg = files.text('setup.cfg');
  const cfgVersion = /^\[metadata\][^[]*?^version\s*=\s*([^\s#]+)\s*$/ms.exec(setupCfg);
  if (cfgVersion && !cfgVersion[1]?.startsWith('attr:')) add('setup.cfg', setupCfg, cfgVersion.index + cfgVersion[0].lastIndexOf('version'), cfgVersion[1]);
  const setupPy = files.get('setup.py');
  if (setupPy) {
    const source = files.lexed(setupPy);
    const m = /\bversion\s*=\s*(?=["'])/.exec(source.code);
    const token = m ? source.strings.find((s) => s.start === m.index + m[0].length) : undefined;
    if (m && token) out.push(...versionAt(token.value, `setup.py:${lineAt(source, m.index)}`));
  }
  for (const file of files.code({ language: 'python' })) {
    if (!/^(?:src\/)?[A-Za-z_]\w*\/(?:__init__|__version__|_version|version|__about__)\.py$/.test(file.rel)) continue;
    const source = files.lexed(file);
    const m = /^__version__\s*(?::\s*str\s*)?=\s*(?=[rbuRBU]?["'])/m.exec(source.code);
    const token = m ? source.strings.find((s) => s.start >= m.index + m[0].length) : undefined;
    if (m && token) out.push(...versionAt(token.value, `${file.rel}:${lineAt(source, m.index)}`));
  }
  return out;
}

export interface ChangelogVersions {
  file: string;
  /** Each version heading, in file order. */
  entries: VersionSource[];
  /** An "Unreleased" section exists. */
  unreleased: boolean;
}

const CHANGELOG = /^(?:docs?\/)?(?:changelog|changes|history|news|releases|release-notes)(?:\.(?:md|markdown|rst|txt|adoc))?$/i;
const MD_HEADING = /^#{1,4}\s*\[?(?:v(?:ersion)?\s*|release\s+|version\s+)?(\d+\.\d+[\w.+-]*?)\]?(?=[\s:,(]|$)/i;
const PLAIN_LINE = /^\[?(?:v(?:ersion)?\s*|release\s+|version\s+)?(\d+\.\d+[\w.+-]*?)\]?(?=[\s:,(]|$)/i;
const UNDERLINE = /^([=\-~^*+#`])\1{2,}\s*$/;

/** The version headings of the project's changelog, if it has one. */
export function readChangelog(files: ProjectFiles): ChangelogVersions | undefined {
  const file = files.files.find((f) => CHANGELOG.test(f.rel));
  if (!file) return undefined;
  const lines = files.text(file).split('\n').map((l) => l.replace(/\r$/, ''));
  const entries: VersionSource[] = [];
  let unreleased = false;
  lines.forEach((line, i) => {
    const underlined = UNDERLINE.test(lines[i + 1] ?? '');
    if (/^#{1,4}\s*\[?unreleased\b/i.test(line) || (underlined && /^\[?unreleased\b/i.test(line))) unreleased = true;
    const m = MD_HEADING.exec(line) ?? (underlined ? PLAIN_LINE.exec(line) : null);
    const version = m?.[1] ? parseVersion(m[1]) : undefined;
    if (version) entries.push({ version, location: `${file.rel}:${i + 1}` });
  });
  return { file: file.rel, entries, unreleased };
}

function versionAt(value: string, location: string): VersionSource[] {
  const version = parseVersion(value);
  return version && !UNSET_VERSIONS.has(version.raw) ? [{ version, location }] : [];
}

/** The top-level "version" of a JSON manifest and where its line starts. */
function jsonVersion(text: string): { value: string; index: number } | undefined {
  let value: unknown;
  try {
    value = (JSON.parse(text) as { version?: unknown }).version;
  } catch {
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^[ \\t]*"version"\\s*:\\s*"${escaped}"`, 'm').exec(text);
  return { value, index: m?.index ?? 0 };
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
