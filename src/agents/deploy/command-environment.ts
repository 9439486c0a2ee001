import { createHash } from 'node:crypto';
import type { ProjectConfig } from '../project-config.js';

// DESIGN, "Environment of project commands": deploy, migrate, rollback and health commands get a
// fixed base of the invoking shell's variables, the names the project file passes through, and
// the project file's own `env:` (with the standard variables). Nothing else of the shell reaches them.

/** The invoking shell's variables every project command gets (LC_* by prefix). */
export const BASE_VARIABLES = ['PATH', 'HOME', 'USER', 'LANG', 'TZ', 'TMPDIR', 'SHELL', 'TERM'] as const;
/** Base variables whose value says nothing about what runs: their presence counts, not their value. */
const VOLATILE_BASE = new Set(['TERM']);

const isBase = (name: string): boolean => (BASE_VARIABLES as readonly string[]).includes(name) || name.startsWith('LC_');

/** The invoking shell's part: the base and the passthrough names that are set. */
export function inheritedVariables(config: Pick<ProjectConfig, 'envPassthrough'>, source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) if (value !== undefined && isBase(name)) out[name] = value;
  for (const { name } of config.envPassthrough) {
    const value = source[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * What an approval holds of an environment: each variable's name with a hash of its value (never
 * the value), or `present` for a volatile one. A change of any value, or a name added or gone, differs.
 */
export function fingerprintEnvironment(env: Readonly<Record<string, string>>, config: Pick<ProjectConfig, 'envPassthrough'>): Record<string, string> {
  const volatile = new Set([...VOLATILE_BASE, ...config.envPassthrough.filter((p) => p.volatile).map((p) => p.name)]);
  const out: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    out[name] = volatile.has(name) ? 'present' : `sha256:${createHash('sha256').update(`${name}\0${env[name] ?? ''}`).digest('hex').slice(0, 16)}`;
  }
  return out;
}
