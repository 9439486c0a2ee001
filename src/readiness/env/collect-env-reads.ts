import type { ProjectFiles } from '../project-files.js';
import type { EnvRead } from './env-read.js';
import { readEnvJavaScript } from './read-env-javascript.js';
import { readEnvPython } from './read-env-python.js';

const cache = new WeakMap<ProjectFiles, EnvRead[]>();

/** Every environment read of the code that runs in production (no tests, tools, examples or docs). */
export function collectEnvReads(files: ProjectFiles): EnvRead[] {
  const cached = cache.get(files);
  if (cached) return cached;
  const reads: EnvRead[] = [];
  for (const file of files.code({ toolConfig: false })) {
    const source = files.lexed(file);
    reads.push(...(file.language === 'python' ? readEnvPython(file, source) : readEnvJavaScript(file, source)));
  }
  cache.set(files, reads);
  return reads;
}
