import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/workspace.js';

// The house's layering, from the floor up: a folder imports only folders below it (and itself).
const RANK: Record<string, number> = {
  'errors.ts': -1,
  workspace: 0,
  parsing: 0,
  log: 1,
  state: 1,
  queue: 2,
  records: 3,
  guardrails: 3,
  gates: 4,
  readiness: 4,
  agents: 5,
  engine: 6,
  // The console is the second face beside the CLI: only the CLI's `serve` command imports it (below).
  console: 7,
  cli: 8,
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('the layering', () => {
  it('every import in src/ goes down (or stays in its folder): cli → engine → agents → gates/readiness → guardrails/records → queue → state/log → workspace/parsing', () => {
    const src = path.join(repoRoot, 'src');
    const upward: string[] = [];
    for (const file of filesUnder(src)) {
      const from = path.relative(src, file).split(path.sep)[0] ?? '';
      for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)) {
        const target = path.relative(src, path.resolve(path.dirname(file), m[1] ?? '')).split(path.sep)[0]?.replace(/\.js$/, '.ts') ?? '';
        if (target === from) continue;
        const a = RANK[from];
        const b = RANK[target];
        expect(a, `${from} has no place in the layering`).toBeDefined();
        expect(b, `${target} has no place in the layering`).toBeDefined();
        if ((b ?? 0) >= (a ?? 0)) upward.push(`${path.relative(repoRoot, file)} imports ${m[1]}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('nothing imports the console but the CLI\'s serve command, and the console imports nothing of the CLI', () => {
    const src = path.join(repoRoot, 'src');
    const found: string[] = [];
    for (const file of filesUnder(src)) {
      const from = path.relative(src, file);
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:^(?:import|export)[^'"]*from |import\()'(\.[^']+)'/gm)) {
        const target = path.relative(src, path.resolve(path.dirname(file), m[1] ?? ''));
        const top = target.split(path.sep)[0];
        const own = from.split(path.sep)[0];
        if (top === 'console' && own !== 'console' && from !== path.join('cli', 'commands', 'serve.ts')) found.push(`${from} imports ${m[1]}`);
        if (own === 'console' && top === 'cli') found.push(`${from} imports ${m[1]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
