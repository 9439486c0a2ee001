// Flask config classes (class Config → ProductionConfig(Config)) and the one app.config.from_object(…) loads.
import type { ProjectFile, ProjectFiles } from '../project-files.js';
import type { SettingValue } from './production-settings.js';

interface ConfigClass {
  name: string;
  bases: string[];
  file: ProjectFile;
  line: number;
  attrs: Map<string, SettingValue>;
}

export interface FlaskConfig {
  /** The class production loads, and its values after inheritance. */
  production: { cls: string; chain: string[]; values: Map<string, SettingValue> };
  /** `app/__init__.py:10` when from_object falls back to a non-production class and no deployment file sets the variable. */
  fallback?: { location: string; variable: string; cls: string; values: Map<string, SettingValue> };
}

const DEPLOY_FILE = /(?:Dockerfile[^/]*|Procfile|compose[\w.-]*\.ya?ml|\.toml|app\.json|\.ya?ml|\.env[\w.-]*|\.ini|\.sh|\.conf)$/;

/** The config classes of a Flask app, resolved the way production loads them; undefined when there is no from_object. */
export function resolveFlaskConfig(files: ProjectFiles): FlaskConfig | undefined {
  const python = files.files.filter((f) => f.language === 'python' && !f.test && !f.toolConfig);
  const loads = python.flatMap((f) => files.text(f).split('\n').flatMap((l, i) => (/\.config\.from_object\s*\(/.test(l) ? [{ file: f, line: i + 1, text: l }] : [])));
  if (loads.length === 0) return undefined;
  const classes = new Map<string, ConfigClass>();
  for (const file of python) {
    const lines = files.text(file).split('\n');
    let current: ConfigClass | undefined;
    lines.forEach((line, i) => {
      const c = /^class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:/.exec(line);
      if (c?.[1]) {
        current = { name: c[1], bases: (c[2] ?? '').split(',').map((b) => b.trim().replace(/^.*\./, '')).filter(Boolean), file, line: i + 1, attrs: new Map() };
        classes.set(c[1], current);
        return;
      }
      if (/^\S/.test(line)) current = undefined;
      const a = current ? /^\s+([A-Z][A-Z0-9_]*)\s*(?::[^=]+)?=(?!=)\s*(.*)$/.exec(line) : null;
      if (current && a?.[1]) current.attrs.set(a[1], { name: a[1], expr: (a[2] ?? '').trim(), file, line: i + 1 });
    });
  }
  const configClasses = [...classes.values()].filter((c) => c.attrs.size > 0 && /Config|Settings/.test(c.name));
  if (configClasses.length === 0) return undefined;
  const resolve = (name: string, seen = new Set<string>()): { chain: string[]; values: Map<string, SettingValue> } => {
    const cls = classes.get(name);
    if (!cls || seen.has(name)) return { chain: [], values: new Map() };
    seen.add(name);
    const values = new Map<string, SettingValue>();
    const chain = [name];
    for (const base of [...cls.bases].reverse()) {
      const parent = resolve(base, seen);
      chain.push(...parent.chain);
      for (const [k, v] of parent.values) values.set(k, v);
    }
    for (const [k, v] of cls.attrs) values.set(k, v);
    return { chain, values };
  };
  const load = loads[0];
  if (!load) return undefined;
  const named = configClasses.find((c) => new RegExp(`from_object\\s*\\(\\s*(?:["'][\\w.]*\\b)?${c.name}\\b`).test(load.text));
  const prod = named && !/Dev|Test|Local|Debug/i.test(named.name) ? named : configClasses.find((c) => /Prod/i.test(c.name));
  if (!prod) return undefined;
  const result: FlaskConfig = { production: { cls: prod.name, ...resolve(prod.name) } };
  // from_object(config[os.getenv("FLASK_CONFIG") or "default"]) / os.environ.get("FLASK_CONFIG", "default")
  const choice = /(?:getenv|environ\.get)\s*\(\s*["'](\w+)["']\s*(?:,\s*["'](\w+)["']\s*\)|\)\s*or\s*["'](\w+)["'])/.exec(load.text);
  const variable = choice?.[1];
  const key = choice?.[2] ?? choice?.[3];
  if (variable && key) {
    const mapping = python.map((f) => new RegExp(`["']${key}["']\\s*:\\s*(\\w+)`).exec(files.text(f))?.[1]).find(Boolean);
    const chosen = mapping ?? classes.get(key)?.name;
    const deploySets = files.files.some((f) => !f.test && f.language !== 'python' && DEPLOY_FILE.test(f.rel) && new RegExp(`\\b${variable}\\b`).test(files.text(f)));
    if (chosen && chosen !== prod.name && !deploySets) {
      result.fallback = { location: `${load.file.rel}:${load.line}`, variable, cls: chosen, values: resolve(chosen).values };
    }
  }
  return result;
}
