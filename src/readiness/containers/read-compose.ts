import { parseYamlText } from '../../workspace/parse-yaml-text.js';
import type { ProjectFile, ProjectFiles } from '../project-files.js';

export interface ComposeService {
  name: string;
  file: ProjectFile;
  image: string;
  /** `ports:` entries as strings (`5432:5432`, `127.0.0.1:8080:80`). */
  ports: string[];
  /** `volumes:` entries as `host:container` strings (named volumes included). */
  volumes: string[];
  environment: Record<string, string>;
  command: string;
  labels: string[];
  healthcheck: boolean;
  limits: boolean;
  build: boolean;
}

const COMPOSE = /(?:^|\/)(?:docker-)?compose(?:\.[\w-]+)*\.ya?ml$/;
// Compose files for development, tests or CI: a bind mount or a published port there is expected.
const NOT_PRODUCTION = /(?:^|[._-])(?:dev|develop|development|local|override|test|tests|ci|debug|e2e)(?:[._-]|$)/i;

/** The services of the project's production compose files. */
export function readComposeServices(files: ProjectFiles): ComposeService[] {
  const out: ComposeService[] = [];
  for (const file of files.files) {
    const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
    if (file.test || file.toolConfig || !COMPOSE.test(file.rel) || NOT_PRODUCTION.test(base)) continue;
    let data: unknown;
    try {
      data = parseYamlText(files.text(file), file.rel);
    } catch {
      continue;
    }
    const services = (data as { services?: unknown } | null)?.services;
    if (!services || typeof services !== 'object' || isDevelopmentCompose(services as Record<string, unknown>)) continue;
    for (const [name, raw] of Object.entries(services as Record<string, unknown>)) {
      if (!raw || typeof raw !== 'object') continue;
      const s = raw as Record<string, unknown>;
      const deploy = s.deploy as { resources?: { limits?: unknown } } | undefined;
      out.push({
        name,
        file,
        image: typeof s.image === 'string' ? s.image : '',
        ports: list(s.ports),
        volumes: list(s.volumes),
        environment: environment(s.environment),
        command: Array.isArray(s.command) ? s.command.map(String).join(' ') : typeof s.command === 'string' ? s.command : '',
        labels: Array.isArray(s.labels) ? s.labels.map(String) : s.labels && typeof s.labels === 'object' ? Object.entries(s.labels).map(([k, v]) => `${k}=${String(v)}`) : [],
        healthcheck: s.healthcheck !== undefined && !(s.healthcheck as { disable?: boolean }).disable,
        limits: Boolean(deploy?.resources?.limits) || s.mem_limit !== undefined || s.cpus !== undefined,
        build: s.build !== undefined,
      });
    }
  }
  return out;
}

// A development server or a development Dockerfile: the file is for a laptop, whatever its name.
const DEV_COMMAND = /\bnodemon\b|\bmanage\.py\s+runserver\b|\bflask\s+run\b|--reload\b|\bnpm\s+run\s+dev\b|\bnext\s+dev\b|--watch\b|\bfastapi\s+dev\b/;

// A mail catcher in the stack: the file runs the service on a laptop, with fake mail.
const DEV_TOOL_IMAGE = /(?:^|\/)(?:maildev|mailhog|mailpit|mailcatcher|smtp4dev)(?::|$)|(?:^|[/._-])(?:maildev|mailhog|mailpit)(?:[._-]|$)/i;

function isDevelopmentCompose(services: Record<string, unknown>): boolean {
  return Object.values(services).some((raw) => {
    if (!raw || typeof raw !== 'object') return false;
    const s = raw as { command?: unknown; build?: unknown; image?: unknown };
    const command = Array.isArray(s.command) ? s.command.join(' ') : typeof s.command === 'string' ? s.command : '';
    const dockerfile = s.build && typeof s.build === 'object' ? String((s.build as { dockerfile?: unknown }).dockerfile ?? '') : '';
    const image = typeof s.image === 'string' ? s.image : '';
    return DEV_COMMAND.test(command) || /(?:^|[/._-])(?:local|dev|development)(?:[._-]|$)/i.test(dockerfile) || DEV_TOOL_IMAGE.test(image) || DEV_TOOL_IMAGE.test(dockerfile);
  });
}

/** A Dockerfile a compose file builds, and whether that compose file is a production one. */
export interface ComposeBuild {
  /** The Dockerfile, relative to the project (`app/Dockerfile.prod`). */
  dockerfile: string;
  compose: string;
  production: boolean;
  /** The compose file belongs to tests or a side tool. */
  testOrTool: boolean;
}

/** Every `build:` of every compose file (development and test ones included, marked as such). */
export function readComposeBuilds(files: ProjectFiles): ComposeBuild[] {
  const out: ComposeBuild[] = [];
  for (const file of files.files) {
    if (!COMPOSE.test(file.rel)) continue;
    let data: unknown;
    try {
      data = parseYamlText(files.text(file), file.rel);
    } catch {
      continue;
    }
    const services = (data as { services?: unknown } | null)?.services;
    if (!services || typeof services !== 'object') continue;
    const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
    const production = !file.test && !file.toolConfig && !NOT_PRODUCTION.test(base) && !isDevelopmentCompose(services as Record<string, unknown>);
    const dir = file.rel.includes('/') ? file.rel.slice(0, file.rel.lastIndexOf('/')) : '';
    for (const raw of Object.values(services as Record<string, unknown>)) {
      const build = (raw as { build?: unknown } | null)?.build;
      if (build === undefined || build === null) continue;
      const context = typeof build === 'string' ? build : String((build as { context?: unknown }).context ?? '.');
      const name = typeof build === 'object' ? String((build as { dockerfile?: unknown }).dockerfile ?? 'Dockerfile') : 'Dockerfile';
      out.push({ dockerfile: joinRel(dir, context, name), compose: file.rel, production, testOrTool: file.test || file.toolConfig });
    }
  }
  return out;
}

function joinRel(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts.join('/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** 1-based line of the first line of `file` containing `needle`, else 1. */
export function lineOf(files: ProjectFiles, file: ProjectFile, needle: string): number {
  const index = files.text(file).split('\n').findIndex((l) => l.includes(needle));
  return index < 0 ? 1 : index + 1;
}

function list(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => {
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.published !== undefined) return `${o.host_ip ? `${String(o.host_ip)}:` : ''}${String(o.published)}:${String(o.target ?? '')}`;
      if (o.source !== undefined) return `${String(o.source)}:${String(o.target ?? '')}${o.type === 'bind' ? ':bind' : ''}`;
    }
    return '';
  });
}

function environment(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const [k, ...rest] = String(item).split('=');
      if (k) out[k] = rest.join('=');
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out[k] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}
