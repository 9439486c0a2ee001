import type { ProjectFile, ProjectFiles } from './project-files.js';
import { lineAt } from './source/lexed-source.js';

/** A package the project declares, where it declares it. */
export interface Dependency {
  /** Lower case, `_` read as `-` (Python names compare that way). */
  name: string;
  ecosystem: 'npm' | 'python';
  location: string;
  dev: boolean;
}

/** Every dependency declared in the project's manifests (package.json, requirements, pyproject, Pipfile, setup.py/cfg). */
export function readDependencies(files: ProjectFiles): Dependency[] {
  const deps: Dependency[] = [];
  for (const file of files.files) {
    if (file.test) continue;
    const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
    if (base === 'package.json') deps.push(...readPackageJson(files, file));
    else if (/^requirements.*\.(?:txt|in)$/i.test(base) || /(?:^|\/)requirements\/[^/]+\.(?:txt|in)$/i.test(file.rel)) deps.push(...readRequirements(files, file));
    else if (base === 'pyproject.toml' || base === 'Pipfile') deps.push(...readTomlDependencies(files, file));
    else if (base === 'setup.py' || base === 'setup.cfg') deps.push(...readSetup(files, file));
  }
  return deps;
}

export function normalizePackageName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

function readPackageJson(files: ProjectFiles, file: ProjectFile): Dependency[] {
  const text = files.text(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  if (!json || typeof json !== 'object') return [];
  const out: Dependency[] = [];
  const lines = text.split('\n');
  for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const section = (json as Record<string, unknown>)[key];
    if (!section || typeof section !== 'object') continue;
    for (const name of Object.keys(section)) {
      const line = lines.findIndex((l) => l.includes(`"${name}"`)) + 1;
      out.push({ name: name.toLowerCase(), ecosystem: 'npm', location: `${file.rel}:${line || 1}`, dev: key === 'devDependencies' });
    }
  }
  return out;
}

const REQUIREMENT = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@(,]|$)/;

function readRequirements(files: ProjectFiles, file: ProjectFile): Dependency[] {
  const out: Dependency[] = [];
  const dev = /dev|test|lint|doc/i.test(file.rel);
  files
    .text(file)
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.replace(/\s#.*$/, '');
      if (/^\s*(?:#|-)/.test(line)) return;
      const m = REQUIREMENT.exec(line);
      if (m?.[1]) out.push({ name: normalizePackageName(m[1]), ecosystem: 'python', location: `${file.rel}:${index + 1}`, dev });
    });
  return out;
}

/** pyproject.toml and Pipfile: array items in dependency lists, keys in dependency tables. */
function readTomlDependencies(files: ProjectFiles, file: ProjectFile): Dependency[] {
  const out: Dependency[] = [];
  const lines = files.text(file).split('\n');
  let section = '';
  let inProjectDeps = false;
  lines.forEach((raw, index) => {
    const line = raw.replace(/\s#.*$/, '');
    const header = /^\s*\[+\s*([^\]]+?)\s*\]+\s*$/.exec(line);
    if (header?.[1]) {
      section = header[1].replace(/["']/g, '');
      inProjectDeps = false;
      return;
    }
    const location = `${file.rel}:${index + 1}`;
    const dev = /dev|test|lint|doc/i.test(section);
    if (section === 'project') {
      if (/^\s*dependencies\s*=/.test(line)) inProjectDeps = true;
      else if (/^\s*[\w-]+\s*=/.test(line)) inProjectDeps = false;
      if (!inProjectDeps) return;
    } else if (!/dependencies|^packages$|^dev-packages$|dependency-groups/.test(section)) {
      return;
    }
    const key = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*=/.exec(line);
    if (key?.[1] && section !== 'project' && key[1] !== 'python' && !/=\s*\[/.test(line)) {
      out.push({ name: normalizePackageName(key[1]), ecosystem: 'python', location, dev });
      return;
    }
    for (const m of line.matchAll(/["']([^"']+)["']/g)) {
      const req = REQUIREMENT.exec(m[1] ?? '');
      if (req?.[1] && /[A-Za-z]/.test(req[1])) out.push({ name: normalizePackageName(req[1]), ecosystem: 'python', location, dev });
    }
  });
  return out;
}

function readSetup(files: ProjectFiles, file: ProjectFile): Dependency[] {
  const out: Dependency[] = [];
  if (file.rel.endsWith('.cfg')) {
    const lines = files.text(file).split('\n');
    let inRequires = false;
    lines.forEach((line, index) => {
      if (/^\s*install_requires\s*=/.test(line)) {
        inRequires = true;
        const rest = line.split('=').slice(1).join('=');
        const m = REQUIREMENT.exec(rest);
        if (m?.[1]) out.push({ name: normalizePackageName(m[1]), ecosystem: 'python', location: `${file.rel}:${index + 1}`, dev: false });
        return;
      }
      if (inRequires && /^\s+\S/.test(line)) {
        const m = REQUIREMENT.exec(line);
        if (m?.[1]) out.push({ name: normalizePackageName(m[1]), ecosystem: 'python', location: `${file.rel}:${index + 1}`, dev: false });
      } else if (inRequires) {
        inRequires = false;
      }
    });
    return out;
  }
  const source = files.lexed(file);
  const at = /\binstall_requires\s*=\s*\[/.exec(source.code);
  if (!at) return out;
  const close = source.code.indexOf(']', at.index);
  for (const token of source.strings) {
    if (token.start < at.index || (close >= 0 && token.start > close)) continue;
    const m = REQUIREMENT.exec(token.value);
    if (m?.[1]) out.push({ name: normalizePackageName(m[1]), ecosystem: 'python', location: `${file.rel}:${lineAt(source, token.start)}`, dev: false });
  }
  return out;
}
