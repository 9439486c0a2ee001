import type { ProjectFile, ProjectFiles } from '../project-files.js';
import { readComposeBuilds } from './read-compose.js';

export interface Instruction {
  /** Upper case: FROM, USER, CMD, … */
  keyword: string;
  args: string;
  line: number;
  /** The instruction as written (continuations joined), for evidence. */
  text: string;
}

export interface Dockerfile {
  file: ProjectFile;
  /** The instructions of the last stage: what the image runs. */
  final: Instruction[];
  /** Every FROM, with the stage names seen before it. */
  froms: Array<Instruction & { stages: string[] }>;
}

const DOCKERFILE = /(?:^|\/)(?:Dockerfile(?:\.[\w.-]+)?|[\w.-]+\.Dockerfile|Containerfile)$/;
// Images built for development or tests are not what production runs.
const NOT_PRODUCTION = /(?:^|[./_-])(?:dev|develop|development|local|test|tests|ci|debug|playwright|cypress|e2e|selenium|maildev|mailhog|mailpit)(?:[./_-]|$)/i;

/**
 * The service's own production Dockerfiles: the ones a production compose file or CI builds; else
 * the production-named ones (`Dockerfile.prod`, `production.Dockerfile`) over plain ones; never a
 * side tool's (`extra/`), a test's, a development one, or one only a development compose file builds.
 */
export function readDockerfiles(files: ProjectFiles): Dockerfile[] {
  return selectServiceDockerfiles(files).map((file) => parseDockerfile(file, files.text(file)));
}

export function selectServiceDockerfiles(files: ProjectFiles): ProjectFile[] {
  const builds = readComposeBuilds(files);
  // Built only by the project's development compose file (a test environment's builds say nothing).
  const devOnly = new Set(builds.filter((b) => !b.production && !b.testOrTool).map((b) => b.dockerfile));
  for (const b of builds) if (b.production) devOnly.delete(b.dockerfile);
  const all = files.files.filter(
    (f) =>
      !f.test &&
      !f.toolConfig &&
      DOCKERFILE.test(f.rel) &&
      !NOT_PRODUCTION.test(f.rel.slice(f.rel.lastIndexOf('/') + 1)) &&
      !/(?:^|\/)(?:\.devcontainer|dev|development)\//.test(f.rel),
  );
  const candidates = all.some((f) => !devOnly.has(f.rel)) ? all.filter((f) => !devOnly.has(f.rel)) : all;
  const referenced = new Set([...builds.filter((b) => b.production).map((b) => b.dockerfile), ...readCiBuilds(files)]);
  const built = candidates.filter((f) => referenced.has(f.rel));
  if (built.length > 0) return built;
  const prodNamed = candidates.filter((f) => PROD_NAME.test(f.rel.slice(f.rel.lastIndexOf('/') + 1)));
  return prodNamed.length > 0 ? prodNamed : candidates;
}

const PROD_NAME = /(?:^|[._-])(?:prod|production|release|deploy)(?:[._-]|$)/i;
const CI_FILE = /^(?:\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.yml|\.circleci\/config\.yml|Jenkinsfile|azure-pipelines\.yml|bitbucket-pipelines\.yml|cloudbuild\.ya?ml|fly\.toml|heroku\.yml)$/;

/** Dockerfiles that CI or a deploy manifest builds: `docker build -f X`, `file: X`, `docker build ctx`, `dockerfile = "X"`. */
function readCiBuilds(files: ProjectFiles): string[] {
  const out: string[] = [];
  for (const file of files.files) {
    if (!CI_FILE.test(file.rel)) continue;
    const text = files.text(file);
    for (const m of text.matchAll(/\bdocker\s+(?:buildx\s+)?build\b([^\n]*)/g)) {
      const args = m[1] ?? '';
      const f = /(?:-f|--file)[=\s]+["']?([^\s"']+)/.exec(args)?.[1];
      const words = args.replace(/(?:-f|--file|-t|--tag|--build-arg|--target|--platform|--label|--cache-from)[=\s]+\S+/g, ' ').split(/\s+/).filter((w) => w && !w.startsWith('-') && !w.startsWith('$'));
      const context = (words[words.length - 1] ?? '.').replace(/^\.\/?$/, '');
      out.push(f ? f.replace(/^\.\//, '') : `${context ? `${context.replace(/\/$/, '')}/` : ''}Dockerfile`);
    }
    for (const m of text.matchAll(/^\s*(?:file|dockerfile)\s*[:=]\s*["']?([^\s"'#]+)/gim)) if (m[1] && /docker|container/i.test(m[1])) out.push(m[1].replace(/^\.\//, ''));
  }
  return out;
}

export function parseDockerfile(file: ProjectFile, text: string): Dockerfile {
  const lines = text.split('\n');
  const all: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let joined = (lines[i] ?? '').replace(/\r$/, '');
    if (/^\s*(?:#|$)/.test(joined)) continue;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      const next = (lines[i] ?? '').replace(/\r$/, '');
      if (/^\s*#/.test(next)) continue;
      joined = `${joined.replace(/\\\s*$/, ' ')}${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(joined);
    if (m?.[1]) all.push({ keyword: m[1].toUpperCase(), args: (m[2] ?? '').trim(), line: first + 1, text: joined.trim().replace(/\s+/g, ' ') });
  }
  const froms: Dockerfile['froms'] = [];
  const stages: string[] = [];
  let lastFrom = 0;
  all.forEach((ins, index) => {
    if (ins.keyword !== 'FROM') return;
    froms.push({ ...ins, stages: [...stages] });
    const as = /\bAS\s+([\w.-]+)\s*$/i.exec(ins.args);
    if (as?.[1]) stages.push(as[1].toLowerCase());
    lastFrom = index;
  });
  return { file, final: all.slice(lastFrom), froms };
}

/** `node:20-alpine` -> { name: 'node', tag: '20-alpine' }; null for stages, scratch and ARG-built names. */
export function baseImage(from: Instruction & { stages: string[] }): { image: string; tag: string | null; digest: boolean } | null {
  const ref = from.args.replace(/--platform=\S+\s+/i, '').split(/\s+/)[0] ?? '';
  if (!ref || ref.includes('$') || ref === 'scratch' || from.stages.includes(ref.toLowerCase())) return null;
  if (ref.includes('@sha256:')) return { image: ref.split('@')[0] ?? ref, tag: null, digest: true };
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', slash + 1);
  return colon < 0 ? { image: ref, tag: null, digest: false } : { image: ref.slice(0, colon), tag: ref.slice(colon + 1), digest: false };
}
