import type { ProjectFile, ProjectFiles } from '../project-files.js';
import { isDevSettings, isProductionSettings } from '../service/production-scope.js';

/** One module-level assignment of a settings module, as production ends up with it. */
export interface SettingValue {
  name: string;
  /** The right-hand side as written (continuation lines joined). */
  expr: string;
  file: ProjectFile;
  line: number;
}

/** The settings production runs with: each name's last assignment through the chain of star imports. */
export interface ProductionSettings {
  /** The modules taken as production's (a production module on top of its base, or the plain settings). */
  roots: ProjectFile[];
  values: Map<string, SettingValue>;
  /** Settings modules production never loads (dev, test, local), for the evidence. */
  ignored: string[];
  /** `config/wsgi.py:14` when the WSGI/ASGI entry falls back to a module other than the production one. */
  fallback?: { location: string; module: string; values: Map<string, SettingValue> };
}

const SETTINGS_PATH = /(?:^|\/)settings(?:\/[^/]+)?\.py$|(?:^|\/)settings_\w+\.py$|(?:^|\/)(?:config|conf)\/(?:django\/)?[^/]+\.py$/;

function isSettingsModule(files: ProjectFiles, file: ProjectFile): boolean {
  if (file.language !== 'python' || file.test || file.toolConfig) return false;
  const text = files.text(file);
  return (SETTINGS_PATH.test(file.rel) && /^[A-Z][A-Z0-9_]+\s*=/m.test(text)) || /^(?:INSTALLED_APPS|MIDDLEWARE|ALLOWED_HOSTS)\s*=/m.test(text);
}

/** Reads the project's Django-style settings modules and resolves what production gets. */
export function resolveProductionSettings(files: ProjectFiles): ProductionSettings | undefined {
  const modules = files.files.filter((f) => isSettingsModule(files, f));
  if (modules.length === 0) return undefined;
  const ignored = modules.filter((f) => isDevSettings(f.rel)).map((f) => f.rel);
  const prod = modules.filter((f) => isProductionSettings(f.rel));
  const roots = prod.length > 0 ? prod : modules.filter((f) => !isDevSettings(f.rel) && !starImportedBy(files, modules, f));
  const values = new Map<string, SettingValue>();
  for (const root of roots) for (const v of resolveModule(files, root, new Set())) values.set(v.name, v);
  const result: ProductionSettings = { roots, values, ignored };
  if (prod.length > 0) {
    const fb = settingsFallback(files, prod);
    if (fb) {
      const base = new Map<string, SettingValue>();
      for (const v of resolveModule(files, fb.file, new Set())) base.set(v.name, v);
      result.fallback = { location: fb.location, module: fb.module, values: base };
    }
  }
  return result;
}

/** Each assignment in order, star imports expanded where they stand. */
function resolveModule(files: ProjectFiles, file: ProjectFile, seen: Set<string>): SettingValue[] {
  if (seen.has(file.rel)) return [];
  seen.add(file.rel);
  const out: SettingValue[] = [];
  const lines = files.text(file).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const star = /^from\s+([\w.]+)\s+import\s+\*/.exec(line);
    if (star?.[1]) {
      const target = moduleFile(files, file, star[1]);
      if (target) out.push(...resolveModule(files, target, seen));
      continue;
    }
    const m = /^([A-Z][A-Z0-9_]*)\s*(?::[^=]+)?=(?!=)\s*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    let expr = m[2] ?? '';
    let depth = bracketDepth(expr);
    const first = i;
    while (depth > 0 && i + 1 < lines.length) {
      i++;
      expr += ` ${(lines[i] ?? '').trim()}`;
      depth = bracketDepth(expr);
    }
    out.push({ name: m[1], expr: expr.trim(), file, line: first + 1 });
  }
  return out;
}

function bracketDepth(text: string): number {
  const code = text.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""').replace(/#.*$/, '');
  return (code.match(/[([{]/g)?.length ?? 0) - (code.match(/[)\]}]/g)?.length ?? 0);
}

/** `.base` beside `file`, or `config.django.base` from the project root (or one folder down). */
function moduleFile(files: ProjectFiles, from: ProjectFile, dotted: string): ProjectFile | undefined {
  const dir = from.rel.includes('/') ? from.rel.slice(0, from.rel.lastIndexOf('/')) : '';
  if (dotted.startsWith('.')) {
    const ups = /^\.+/.exec(dotted)?.[0].length ?? 1;
    const parts = dir ? dir.split('/') : [];
    const base = parts.slice(0, Math.max(0, parts.length - (ups - 1))).join('/');
    const rest = dotted.slice(ups).replace(/\./g, '/');
    const rel = [base, rest].filter(Boolean).join('/');
    return files.get(`${rel}.py`) ?? files.get(`${rel}/__init__.py`);
  }
  const rel = dotted.replace(/\./g, '/');
  return files.get(`${rel}.py`) ?? files.get(`${rel}/__init__.py`) ?? files.files.find((f) => f.rel.endsWith(`/${rel}.py`));
}

function starImportedBy(files: ProjectFiles, modules: ProjectFile[], target: ProjectFile): boolean {
  return modules.some((m) => m !== target && [...files.text(m).matchAll(/^from\s+([\w.]+)\s+import\s+\*/gm)].some((s) => moduleFile(files, m, s[1] ?? '') === target));
}

/**
 * The entry point's default settings module when it is not a production one and nothing the
 * deployment sets (Dockerfile ENV, compose, Procfile, app manifests) names the production module.
 */
function settingsFallback(files: ProjectFiles, prod: ProjectFile[]): { location: string; module: string; file: ProjectFile } | undefined {
  const prodModules = prod.map((f) => f.rel.replace(/\.py$/, '').replace(/\//g, '.'));
  const deploySets = files.files.some((f) => {
    if (f.test || f.language === 'python') return false;
    if (!/(?:Dockerfile|Procfile|compose[\w.-]*\.ya?ml|\.toml|app\.json|\.ya?ml|\.env[\w.-]*|\.ini|\.sh)$/.test(f.rel)) return false;
    const text = files.text(f);
    return /DJANGO_SETTINGS_MODULE/.test(text) && prodModules.some((m) => text.includes(m));
  });
  if (deploySets) return undefined;
  for (const f of files.files) {
    if (!/(?:^|\/)(?:wsgi|asgi)\.py$/.test(f.rel) || f.test) continue;
    const lines = files.text(f).split('\n');
    const i = lines.findIndex((l) => /DJANGO_SETTINGS_MODULE["']\s*,\s*["'][\w.]+["']/.test(l));
    if (i < 0) continue;
    const module = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']/.exec(lines[i] ?? '')?.[1] ?? '';
    if (prodModules.includes(module)) return undefined;
    const file = files.get(`${module.replace(/\./g, '/')}.py`);
    if (file && !isDevSettings(file.rel)) return { location: `${f.rel}:${i + 1}`, module, file };
  }
  return undefined;
}
