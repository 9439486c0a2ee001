import type { ProjectFile, ProjectFiles } from '../project-files.js';

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
const NOT_PRODUCTION = /(?:^|[./_-])(?:dev|develop|development|local|test|tests|ci|debug|playwright|cypress|e2e|selenium)(?:[./_-]|$)/i;

/** The project's production Dockerfiles (development, test and example ones left out). */
export function readDockerfiles(files: ProjectFiles): Dockerfile[] {
  return files.files
    .filter((f) => !f.test && !f.toolConfig && DOCKERFILE.test(f.rel) && !NOT_PRODUCTION.test(f.rel.slice(f.rel.lastIndexOf('/') + 1)) && !/(?:^|\/)(?:\.devcontainer|dev|development)\//.test(f.rel))
    .map((file) => parseDockerfile(file, files.text(file)));
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
