import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Where a program would be found: a name is looked up in PATH, a path is checked as it is. Null if nowhere. */
export function findOnPath(program: string, cwd: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (program.includes('/')) return isExecutable(path.resolve(cwd, program)) ? path.resolve(cwd, program) : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
