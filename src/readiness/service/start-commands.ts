import { readDockerfiles } from '../containers/read-dockerfile.js';
import { readComposeServices } from '../containers/read-compose.js';
import type { ProjectFile, ProjectFiles } from '../project-files.js';
import { readGunicornHooks } from './gunicorn-hooks.js';

/** One command that runs when the service starts, and where it is written. */
export interface StartCommand {
  /** `file:line` */
  location: string;
  text: string;
  /** How it is reached: `Dockerfile:16 ENTRYPOINT → boot.sh`, `Procfile web`. */
  via: string;
}

const MAX_DEPTH = 4;

/**
 * What runs when a container or process of the service starts: the release stage's CMD and
 * ENTRYPOINT of the service's own Dockerfiles, the scripts they call (bootstrap, entrypoint), the
 * package.json scripts they run, Procfile processes (not `release:`, which is its own step), the
 * production compose file's commands, and uWSGI/gunicorn hooks.
 */
export function readStartCommands(files: ProjectFiles): StartCommand[] {
  const out: StartCommand[] = [];
  const seen = new Set<string>();
  const follow = (text: string, via: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    for (const script of referencedScripts(files, text)) {
      if (seen.has(script.rel)) continue;
      seen.add(script.rel);
      files.text(script).split('\n').forEach((line, i) => {
        if (/^\s*(?:#|$)/.test(line)) return;
        const command: StartCommand = { location: `${script.rel}:${i + 1}`, text: line.trim(), via: `${via} → ${script.rel}` };
        out.push(command);
        follow(line, command.via, depth + 1);
      });
    }
    for (const m of text.matchAll(/\b(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?([\w:.-]+)/g)) {
      const name = m[1] ?? '';
      if (['install', 'ci', 'i', 'exec', 'add', 'prune'].includes(name)) continue;
      for (const script of [`pre${name}`, name]) {
        const found = packageScript(files, script);
        if (!found || seen.has(`package.json#${script}`)) continue;
        seen.add(`package.json#${script}`);
        const command: StartCommand = { location: found.location, text: found.text, via: `${via} → npm run ${script}` };
        out.push(command);
        follow(found.text, command.via, depth + 1);
      }
    }
  };
  const add = (location: string, text: string, via: string): void => {
    out.push({ location, text, via });
    follow(text, via, 1);
  };
  for (const d of readDockerfiles(files)) {
    for (const ins of d.final) {
      if (ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') continue;
      add(`${d.file.rel}:${ins.line}`, commandText(ins.args), `${d.file.rel}:${ins.line} ${ins.keyword}`);
    }
  }
  for (const file of files.files) {
    const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
    if (file.test || file.toolConfig) continue;
    if (base === 'Procfile') {
      files.text(file).split('\n').forEach((line, i) => {
        const m = /^\s*([\w-]+)\s*:\s*(.+)$/.exec(line);
        if (m?.[1] && m[1] !== 'release' && m[2]) add(`${file.rel}:${i + 1}`, m[2].trim(), `${file.rel} ${m[1]}`);
      });
    } else if (/\.ini$/.test(base) && /^\s*\[uwsgi\]/m.test(files.text(file))) {
      files.text(file).split('\n').forEach((line, i) => {
        const m = /^\s*((?:hook|exec)-(?:pre-app|asap|as-root|as-user|post-app|accepting\d*|pre-jail|post-fork)|attach-daemon|smart-attach-daemon)\s*=\s*(.+)$/.exec(line);
        if (m?.[2]) add(`${file.rel}:${i + 1}`, m[2].trim(), `${file.rel} uWSGI ${m[1]}`);
      });
    } else if (/^gunicorn[\w.-]*\.(?:conf\.)?py$|^gunicorn\.conf\.py$/.test(base)) {
      for (const hook of readGunicornHooks(files, file)) out.push({ location: `${file.rel}:${hook.line}`, text: hook.text, via: `${file.rel} ${hook.chain}` });
    }
  }
  for (const s of readComposeServices(files)) {
    if (!s.command) continue;
    const line = files.text(s.file).split('\n').findIndex((l) => /^\s*command\s*:/.test(l) && l.includes(s.command.split(' ')[0] ?? ''));
    add(`${s.file.rel}:${line < 0 ? 1 : line + 1}`, s.command, `${s.file.rel} ${s.name} command`);
  }
  return out;
}

/** `["./boot.sh"]` → `./boot.sh`; `CMD a && b` stays as written. */
function commandText(args: string): string {
  if (!args.startsWith('[')) return args;
  try {
    const parsed = JSON.parse(args) as unknown;
    return Array.isArray(parsed) ? parsed.map(String).join(' ') : args;
  } catch {
    return args;
  }
}

/** Script files of the project that a command names (`./boot.sh`, `/opt/startup.sh`, `docker/entrypoint.sh`, `bash scripts/start`). */
function referencedScripts(files: ProjectFiles, text: string): ProjectFile[] {
  const out: ProjectFile[] = [];
  for (const m of text.matchAll(/(?:^|[\s"'=;&|(])((?:\.{0,2}\/)?[\w./-]*[\w-]+\.(?:sh|bash))(?=$|[\s"';&|)])/g)) {
    const ref = (m[1] ?? '').replace(/^\.\//, '');
    const base = ref.slice(ref.lastIndexOf('/') + 1);
    const exact = files.get(ref.replace(/^\//, ''));
    const found = exact ?? files.files.find((f) => !f.test && f.rel.slice(f.rel.lastIndexOf('/') + 1) === base);
    if (found && !out.includes(found)) out.push(found);
  }
  return out;
}

function packageScript(files: ProjectFiles, name: string): { location: string; text: string } | undefined {
  const text = files.text('package.json');
  if (!text) return undefined;
  let scripts: Record<string, unknown> = {};
  try {
    scripts = ((JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts ?? {}) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const value = scripts[name];
  if (typeof value !== 'string') return undefined;
  const line = text.split('\n').findIndex((l) => l.includes(`"${name}"`));
  return { location: `package.json:${line < 0 ? 1 : line + 1}`, text: value };
}
