import { Entries, MISSING, Raw, writeJson } from './fuzz-case.js';
import type { Rng } from './prng.js';

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * YAML text of a mapping: nested mappings in block style (or flow, at random), other values as
 * JSON (which YAML 1.2 reads as flow collections and double-quoted scalars), Raw as it is, and
 * Entries with their keys as given (the same key may come twice).
 */
export function writeYaml(rng: Rng, value: unknown, indent = ''): string {
  const entries = value instanceof Entries ? value.entries : Object.entries(value as object).filter(([, v]) => v !== MISSING);
  return entries
    .map(([k, v]) => {
      const key = PLAIN_KEY.test(k) ? k : JSON.stringify(k);
      if (v instanceof Raw) return `${indent}${key}: ${v.text}\n`;
      const mapping = v instanceof Entries ? v.entries.length > 0 : isPlainObject(v) && Object.keys(v).length > 0;
      if (mapping && rng.chance(0.8)) return `${indent}${key}:${rng.chance(0.2) ? '  # a comment' : ''}\n${writeYaml(rng, v, `${indent}  `)}`;
      if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') && rng.chance(0.4)) {
        return `${indent}${key}:\n${v.map((x) => `${indent}  - ${JSON.stringify(x)}\n`).join('')}`;
      }
      return `${indent}${key}: ${writeJson(v, '')}\n`;
    })
    .join('');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Raw);
}

/** Sets `value` at a dotted path (creating mappings on the way); MISSING deletes the key. */
export function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === MISSING) delete node[last];
  else node[last] = value;
}

/** The 9x9x... alias expansion of a "billion laughs", as YAML. */
export function billionLaughs(levels: number, key = 'lol'): string {
  const lines = [`${key}0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let i = 1; i < levels; i++) lines.push(`${key}${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

/** Collections nested `depth` levels, flow or block style, as the value of `key`. */
export function nestedYaml(depth: number, style: 'flow' | 'block' | 'dash', key = 'deep'): string {
  if (style === 'flow') return `${key}: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
  if (style === 'dash') return `${key}:\n  ${'- '.repeat(depth)}x\n`;
  return `${key}:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} x\n`;
}
