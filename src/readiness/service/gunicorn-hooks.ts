// gunicorn server hooks (gunicorn.conf.py): the code they run at start, followed into the helpers of the same file.
import type { ProjectFile, ProjectFiles } from '../project-files.js';

/** Hooks that run when the server starts, reloads or forks a worker (https://docs.gunicorn.org/en/stable/settings.html#server-hooks). */
const START_HOOKS = new Set(['on_starting', 'on_reload', 'when_ready', 'pre_fork', 'post_fork', 'post_worker_init', 'pre_exec', 'nworkers_changed']);
const MAX_DEPTH = 4;

export interface HookLine {
  line: number;
  text: string;
  /** `on_starting → _upgrade_schema()` */
  chain: string;
}

/** The config file's lines that its start hooks run, through calls to functions defined in the file. */
export function readGunicornHooks(files: ProjectFiles, file: ProjectFile): HookLine[] {
  const lines = files.text(file).split('\n');
  const functions = new Map<string, { start: number; end: number }>();
  lines.forEach((line, i) => {
    const def = /^def\s+(\w+)\s*\(/.exec(line);
    if (!def?.[1]) return;
    let end = i + 1;
    while (end < lines.length && (/^\s/.test(lines[end] ?? '') || (lines[end] ?? '').trim() === '')) end++;
    functions.set(def[1], { start: i + 1, end });
  });
  const out: HookLine[] = [];
  const visit = (name: string, chain: string, depth: number, seen: Set<string>): void => {
    const body = functions.get(name);
    if (!body || depth > MAX_DEPTH || seen.has(name)) return;
    seen.add(name);
    for (let i = body.start; i < body.end; i++) {
      const text = (lines[i] ?? '').trim();
      if (!text || text.startsWith('#') || /^(?:"""|''')/.test(text)) continue;
      out.push({ line: i + 1, text, chain });
      for (const call of text.matchAll(/(?<![\w.])(\w+)\s*\(/g)) {
        const callee = call[1] ?? '';
        if (functions.has(callee) && callee !== name) visit(callee, `${chain} → ${callee}()`, depth + 1, seen);
      }
    }
  };
  for (const name of functions.keys()) if (START_HOOKS.has(name)) visit(name, name, 0, new Set());
  return out;
}

/** `subprocess.run(["alembic", "upgrade", "head"])` → `alembic upgrade head`, so command patterns match list-form calls. */
export function commandWords(text: string): string {
  const list = /\[\s*((?:["'][^"']*["']\s*,?\s*)+)\]/.exec(text);
  if (!list?.[1]) return text;
  return [...list[1].matchAll(/["']([^"']*)["']/g)].map((m) => m[1] ?? '').join(' ');
}
